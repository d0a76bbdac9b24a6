package muchat.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a group commit writes to the {@code conversations} table besides the messages:
 * the row of each conversation a message starts (for both users of a one-to-one
 * message, for the sender of a group message), and the read position of each group
 * message's sender, raised to the message, so that the sender's own messages never
 * count as unread.
 *
 * <p>A conversation's row is made once and never removed, so the rows this lane has
 * written (or seen written) are remembered, up to {@value #REMEMBERED}, and not written
 * again: a one-to-one message of a known pair adds nothing to its group commit. A group
 * message adds one UPDATE per sender and group, in the round trip that carries the
 * COMMIT. Rows are written in ascending key order, as the inbox cursors are, so two
 * lanes (or instances) writing for the same users do not deadlock.
 *
 * <p>Threads: one group-commit lane.
 */
final class ConversationRows {
    /** Conversation rows remembered as written: a few MiB at most. */
    static final int REMEMBERED = 65_536;
    private static final String READ_UP = "UPDATE conversations SET read_mid = ?"
            + " WHERE uid = ? AND peer = ? AND group_id = ? AND read_mid < ?";

    /** A row's key: {@code peer} 0 for a group's, {@code group} 0 for a one-to-one conversation's. */
    record Key(long uid, long peer, long group) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(uid, o.uid);
            if (c == 0) {
                c = Long.compare(peer, o.peer);
            }
            return c != 0 ? c : Long.compare(group, o.group);
        }
    }

    private final String insert;
    private final Map<Key, Boolean> written = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    /** The rows of the batch being written, remembered once it commits. */
    private final List<Key> inserting = new ArrayList<>();

    ConversationRows(Dialect dialect) {
        this.insert = dialect.insertIgnore() + " INTO conversations (uid, peer, group_id, read_mid) VALUES ";
    }

    /** The statements for the fresh messages {@code batch[fresh[k]]}, whose mids are {@code mids[k]}. */
    List<Jdbc.Sql> statements(List<NewMessage> batch, List<Integer> fresh, long[] mids) {
        TreeMap<Key, Long> senderReads = new TreeMap<>();
        TreeMap<Key, Boolean> rows = new TreeMap<>();
        for (int k = 0; k < fresh.size(); k++) {
            NewMessage m = batch.get(fresh.get(k));
            if (m.kind() != NewMessage.CHAT) {
                continue; // a friend event makes no conversation
            }
            if (m.toUser() != null) {
                rows.put(new Key(m.sender(), m.toUser(), 0), true);
                rows.put(new Key(m.toUser(), m.sender(), 0), true);
            } else {
                Key key = new Key(m.sender(), 0, m.toGroup());
                rows.put(key, true);
                senderReads.merge(key, mids[k], Math::max);
            }
        }
        inserting.clear();
        List<Object> values = new ArrayList<>();
        for (Key key : rows.keySet()) {
            if (!written.containsKey(key)) {
                inserting.add(key);
                values.addAll(List.of(key.uid(), key.peer(), key.group()));
            }
        }
        List<Jdbc.Sql> out = new ArrayList<>(BatchWriter.multiRow(insert, "", 3, "(?, ?, ?, 0)", values));
        senderReads.forEach((key, mid) ->
                out.add(new Jdbc.Sql(READ_UP, List.of(mid, key.uid(), key.peer(), key.group(), mid))));
        return out;
    }

    /** The statements of the last {@link #statements} call were committed. */
    void committed() {
        inserting.forEach(key -> written.put(key, true));
        inserting.clear();
    }
}
