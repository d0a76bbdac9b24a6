package muchat.cluster;

/** One device of a user: a field of the user's presence hash ({@link RedisPresence}). Immutable. */
record Device(long uid, String name) {
}
