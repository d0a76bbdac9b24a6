-- The muchat schema. The server runs this file on every start, so each statement must
-- be idempotent (CREATE TABLE IF NOT EXISTS). The same text runs on MariaDB/MySQL, on
-- H2 in MySQL mode and, rewritten line by line (store/Dialect.java), on the embedded
-- SQLite: keep it to the plain subset they accept, with indexes declared inside CREATE
-- TABLE (MySQL has no CREATE INDEX IF NOT EXISTS) and one column or key per line.
-- Statements end with a semicolon at the end of a line; comments are whole lines.
-- A column added to a table that databases already hold needs a default: Schema.java
-- adds it to them with ALTER TABLE.
--
-- There are no foreign keys: the service checks that users and groups exist before it
-- writes, and the message hot path should not pay for a parent lookup per row.

-- Accounts. password holds a salted hash, never the password itself: Argon2id as
-- "$argon2id$v=19$m=KIB,t=2,p=1$salt$hash", or an older "pbkdf2-sha256$iterations$salt$hash".
-- utf8mb4_bin makes names case-sensitive on MariaDB, as in SQLite.
CREATE TABLE IF NOT EXISTS users (
  id       BIGINT       NOT NULL AUTO_INCREMENT,
  name     VARCHAR(50)  NOT NULL,
  password VARCHAR(128) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_users_name (name)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Friendship is mutual and stored in both directions, so "friends of U" is one range
-- scan of the primary key; the key also makes adding a friend twice a no-op.
CREATE TABLE IF NOT EXISTS friends (
  uid       BIGINT NOT NULL,
  friend_id BIGINT NOT NULL,
  PRIMARY KEY (uid, friend_id)
);

-- is_open: anyone may join; a closed group's creator approves each join (group_requests).
CREATE TABLE IF NOT EXISTS chat_groups (
  id          BIGINT       NOT NULL AUTO_INCREMENT,
  name        VARCHAR(50)  NOT NULL,
  description VARCHAR(200) NOT NULL,
  creator     BIGINT       NOT NULL,
  is_open     BOOLEAN      NOT NULL DEFAULT TRUE,
  PRIMARY KEY (id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- role is the wire name: 'creator' or 'normal'. history_after is the mid of the group's
-- last message when the member joined a closed group: their HISTORY of it shows only
-- later messages. 0 (an open group, the creator) shows everything.
CREATE TABLE IF NOT EXISTS group_members (
  group_id      BIGINT      NOT NULL,
  uid           BIGINT      NOT NULL,
  role          VARCHAR(10) NOT NULL,
  history_after BIGINT      NOT NULL DEFAULT 0,
  PRIMARY KEY (group_id, uid),
  KEY idx_group_members_uid (uid)
);

-- Requests to join a closed group that its creator has not decided yet.
CREATE TABLE IF NOT EXISTS group_requests (
  group_id BIGINT NOT NULL,
  uid      BIGINT NOT NULL,
  PRIMARY KEY (group_id, uid)
);

-- One row per chat message. Exactly one of to_user and to_group is set. cmid is the
-- sender's own id for the message; the unique key turns a resent cmid into a lookup
-- (several NULL cmids are allowed). The two history indexes end in mid so "newest
-- first, before mid X" reads a short range backwards. body holds the protocol's 4000
-- characters (Unicode code points, docs/protocol.md section 3) in every database's
-- units: MariaDB and SQLite count code points, but H2 counts UTF-16 units, two for a
-- character outside the Basic Multilingual Plane such as an emoji. Schema.java widens
-- the column of a database made when it was VARCHAR(4000). kind 0 is a chat message;
-- any other kind is the msgid of an event that travels through the inbox like one:
-- 116 a friend request (sender asks to_user, empty body), 117 the answer to one (body
-- 'accept' or 'reject'). HISTORY, conversations, unread counts and recall consider only
-- kind 0. A recalled message keeps its row (HISTORY shows it as recalled) with an empty body.
CREATE TABLE IF NOT EXISTS messages (
  mid      BIGINT        NOT NULL AUTO_INCREMENT,
  sender   BIGINT        NOT NULL,
  to_user  BIGINT        NULL,
  to_group BIGINT        NULL,
  body     VARCHAR(8000) NOT NULL,
  ts       BIGINT        NOT NULL,
  cmid     VARCHAR(64)   NULL,
  kind     INT           NOT NULL DEFAULT 0,
  recalled BOOLEAN       NOT NULL DEFAULT FALSE,
  PRIMARY KEY (mid),
  UNIQUE KEY uq_messages_sender_cmid (sender, cmid),
  KEY idx_messages_direct (sender, to_user, mid),
  KEY idx_messages_group (to_group, mid)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Everything that reaches user uid, numbered 1, 2, 3, ... per user. kind (InboxEntry.Kind)
-- is 0 for the message mid (a chat message or an event, by messages.kind), 1 for a read receipt up to mid (the reader is the other
-- user of that one-to-one message), 2 for the recall of message mid.
CREATE TABLE IF NOT EXISTS inbox (
  uid  BIGINT NOT NULL,
  seq  BIGINT NOT NULL,
  mid  BIGINT NOT NULL,
  kind INT    NOT NULL DEFAULT 0,
  PRIMARY KEY (uid, seq)
);

-- One row per user, made at registration. last_seq is the highest seq handed out (the
-- next one is last_seq + 1); writers lock this row while they allocate, which is what
-- keeps seqs gapless and unique across server instances.
CREATE TABLE IF NOT EXISTS inbox_cursor (
  uid      BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  PRIMARY KEY (uid)
);

-- One row per user, made at registration: the highest seq the user's device "default"
-- (every native login that names no device, and every login before devices) has
-- confirmed (RECV_ACK). A table of its own, so that writing acks never waits for, or
-- holds up, the writers that lock inbox_cursor rows to hand out seqs.
CREATE TABLE IF NOT EXISTS inbox_ack (
  uid   BIGINT NOT NULL,
  acked BIGINT NOT NULL,
  PRIMARY KEY (uid)
);

-- The highest seq each other device of a user has confirmed (RECV_ACK), a row made at
-- the device's first login: a device that acked less than another gets the rest replayed
-- at its next login, and a user with a row here gets its own messages in its inbox too,
-- for its other devices to show. A device name has at most 32 characters, which may
-- take 64 UTF-16 units.
CREATE TABLE IF NOT EXISTS device_ack (
  uid    BIGINT      NOT NULL,
  device VARCHAR(64) NOT NULL,
  acked  BIGINT      NOT NULL,
  PRIMARY KEY (uid, device)
);

-- A user's conversations and read positions: read_mid is the last message of the
-- conversation the user has read (READ), only ever raised. A one-to-one conversation
-- (peer, group_id 0) gets its row with its first message, from the group commit; a
-- group's (peer 0, group_id) when the member first reads or writes in it (groups are
-- listed from group_members). The user's own messages are never unread: a group commit
-- raises the sender's read_mid of a group to the message, and in a one-to-one
-- conversation the sender's last message is looked up instead (idx_messages_direct).
CREATE TABLE IF NOT EXISTS conversations (
  uid      BIGINT NOT NULL,
  peer     BIGINT NOT NULL,
  group_id BIGINT NOT NULL,
  read_mid BIGINT NOT NULL,
  PRIMARY KEY (uid, peer, group_id)
);
