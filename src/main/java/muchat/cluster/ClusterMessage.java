package muchat.cluster;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One message on an instance channel: a push of a stored chat message, or a kick.
 *
 * <p>Encoding, chosen so that the JSON is copied once and never re-parsed on the way:
 * <pre>
 * offset 0      1              9              17
 *        +------+--------------+--------------+---------------------------+
 *        | kind | uid          | seq          | json                      |
 *        | u8   | i64 BE       | i64 BE       | the rest, UTF-8 (push)    |
 *        +------+--------------+--------------+---------------------------+
 * </pre>
 * kind 1 = push, 2 = kick; a kick has seq 0 and no json.
 */
record ClusterMessage(Kind kind, long uid, long seq, byte[] json) {

    /** What the receiving instance should do with {@link #uid}. */
    enum Kind {
        PUSH((byte) 1), KICK((byte) 2);

        final byte code;

        Kind(byte code) {
            this.code = code;
        }

        static Optional<Kind> of(byte code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    static final int HEADER_LENGTH = 17;
    private static final byte[] NO_JSON = new byte[0];

    static ClusterMessage push(long uid, long seq, byte[] json) {
        return new ClusterMessage(Kind.PUSH, uid, seq, json);
    }

    static ClusterMessage kick(long uid) {
        return new ClusterMessage(Kind.KICK, uid, 0, NO_JSON);
    }

    byte[] encode() {
        return ByteBuffer.allocate(HEADER_LENGTH + json.length)
                .put(kind.code).putLong(uid).putLong(seq).put(json)
                .array();
    }

    /** The message in {@code bytes}, or empty if they are not one (wrong length or kind). */
    static Optional<ClusterMessage> decode(byte[] bytes) {
        if (bytes.length < HEADER_LENGTH) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        return Kind.of(in.get()).map(kind -> {
            long uid = in.getLong();
            long seq = in.getLong();
            byte[] json = new byte[in.remaining()];
            in.get(json);
            return new ClusterMessage(kind, uid, seq, json);
        });
    }
}
