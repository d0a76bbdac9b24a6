package muchat.cluster;

/** One device of a user: a field of the user's presence hash ({@link Presence}). Immutable. */
record Device(long uid, String name) {
}
