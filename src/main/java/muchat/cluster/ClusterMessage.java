package muchat.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One message on an instance channel: a push of a stored inbox entry, a signal (a frame
 * that is not stored), a kick, or the notice that another instance holds a device of
 * the user too.
 *
 * <p>Encoding, chosen so that the JSON is copied once and never re-parsed on the way:
 * <pre>
 * offset 0      1              9              17
 *        +------+--------------+--------------+---------------------------+
 *        | kind | uid          | seq          | body                      |
 *        | u8   | i64 BE       | i64 BE       | the rest                  |
 *        +------+--------------+--------------+---------------------------+
 * </pre>
 * kind 1 = push, whose body is the message's JSON in UTF-8; 3 = signal, the same with seq
 * 0; 2 = kick, with seq 0 and the id of the claim it ends as decimal digits for body, so
 * that the claim script in Redis can append it to a header made here
 * ({@link #kickHeader}); 4 = shared, seq 0 and no body: another instance now holds a
 * device of the user too.
 */
record ClusterMessage(Kind kind, long uid, long seq, byte[] body) {

    /** What the receiving instance should do with {@link #uid}. */
    enum Kind {
        PUSH((byte) 1), KICK((byte) 2), SIGNAL((byte) 3), SHARED((byte) 4);

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
    private static final byte[] NO_BODY = new byte[0];

    static ClusterMessage push(long uid, long seq, byte[] json) {
        return new ClusterMessage(Kind.PUSH, uid, seq, json);
    }

    /** A frame for {@code uid} that is not stored: PRESENCE, TYPING. */
    static ClusterMessage signal(long uid, byte[] json) {
        return new ClusterMessage(Kind.SIGNAL, uid, 0, json);
    }

    /** Ends the login {@code claimId} of {@code uid}. */
    static ClusterMessage kick(long uid, long claimId) {
        return new ClusterMessage(Kind.KICK, uid, 0, Long.toString(claimId).getBytes(StandardCharsets.US_ASCII));
    }

    /** Another instance now holds a device of {@code uid} too: pushes for it must go there. */
    static ClusterMessage shared(long uid) {
        return new ClusterMessage(Kind.SHARED, uid, 0, NO_BODY);
    }

    /** A kick of {@code uid} without its claim id: the claim script appends the id. */
    static byte[] kickHeader(long uid) {
        return new ClusterMessage(Kind.KICK, uid, 0, NO_BODY).encode();
    }

    /** The claim a kick ends. */
    long claimId() {
        return Long.parseLong(new String(body, StandardCharsets.US_ASCII));
    }

    byte[] encode() {
        return ByteBuffer.allocate(HEADER_LENGTH + body.length)
                .put(kind.code).putLong(uid).putLong(seq).put(body)
                .array();
    }

    /** The message in {@code bytes}, or empty if they are not one (wrong length or kind, a kick without its claim). */
    static Optional<ClusterMessage> decode(byte[] bytes) {
        if (bytes.length < HEADER_LENGTH) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        return Kind.of(in.get()).map(kind -> {
            long uid = in.getLong();
            long seq = in.getLong();
            byte[] body = new byte[in.remaining()];
            in.get(body);
            return new ClusterMessage(kind, uid, seq, body);
        }).filter(m -> m.kind() != Kind.KICK || isClaimId(m.body()));
    }

    private static boolean isClaimId(byte[] body) {
        if (body.length == 0 || body.length > 18) {
            return false;
        }
        for (byte b : body) {
            if (b < '0' || b > '9') {
                return false;
            }
        }
        return true;
    }
}
