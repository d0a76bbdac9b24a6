package muchat.cluster;

import java.net.URI;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * Where Redis is and how this instance logs in to it, from {@code --redis}: either
 * {@code HOST:PORT} (no password) or {@code redis://[[user]:password@]host:port[/db]}
 * (Redis 6 ACL user, or the {@code requirepass} password alone; a database number).
 * Every connection to Redis uses it: the command pool, the subscriber and the presence
 * refresh.
 *
 * <p>{@link #toString} shows the password as {@code ***}, so the address can go into a
 * log line or an error; an error quotes the text it was given only when that cannot
 * hold a password.
 *
 * <p>Immutable; any thread.
 */
public record RedisAddress(HostAndPort hostAndPort, String user, String password, int database) {
    private static final String SCHEME = "redis://";
    private static final String FORM = "HOST:PORT or redis://[[user]:password@]host:port[/db]";

    /** Reads {@code HOST:PORT} or a redis:// URI; IllegalArgumentException (without the password) if malformed. */
    public static RedisAddress parse(String text) {
        return text.startsWith(SCHEME) ? parseUri(text) : parseHostPort(text);
    }

    private static RedisAddress parseUri(String text) {
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw malformed("it is not a valid URI"); // the URI's own error quotes the text, password and all
        }
        if (!JedisURIHelper.isValid(uri)) {
            throw malformed("a redis:// address needs a host and a port");
        }
        RedisAddress address;
        try {
            String password = JedisURIHelper.getPassword(uri);
            address = new RedisAddress(JedisURIHelper.getHostAndPort(uri), JedisURIHelper.getUser(uri),
                    password == null || password.isEmpty() ? null : password, JedisURIHelper.getDBIndex(uri));
        } catch (RuntimeException e) {
            throw malformed("the password follows a colon (redis://:password@host:port),"
                    + " the path is a database number");
        }
        if (address.database < 0) {
            throw malformed("the database number must not be negative");
        }
        return address;
    }

    private static RedisAddress parseHostPort(String text) {
        if (text.contains("@")) {
            throw malformed("credentials need the redis:// form"); // and the text may hold a password
        }
        if (text.contains("/")) {
            throw malformed("got '" + text + "'; the only URI scheme is redis://");
        }
        int colon = text.lastIndexOf(':');
        int port = colon <= 0 ? -1 : portOf(text.substring(colon + 1));
        if (port < 1 || port > 65535) {
            throw malformed("got '" + text + "'");
        }
        return new RedisAddress(new HostAndPort(text.substring(0, colon), port), null, null, 0);
    }

    private static int portOf(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static IllegalArgumentException malformed(String why) {
        return new IllegalArgumentException("--redis must be " + FORM + ": " + why);
    }

    /** The address as given, with the password masked. */
    @Override
    public String toString() {
        if (user == null && password == null && database == 0) {
            return hostAndPort.toString();
        }
        String credentials = user == null && password == null ? ""
                : (user == null ? "" : user) + (password == null ? "" : ":***") + "@";
        return SCHEME + credentials + hostAndPort + (database == 0 ? "" : "/" + database);
    }
}
