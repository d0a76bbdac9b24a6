package muchat.store;

/** One member of a group, with its stored role. */
public record Member(long id, String name, MemberRole role) {
}
