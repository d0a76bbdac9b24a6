package muchat.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script run by its SHA-1 (EVALSHA), so that the script text crosses the network
 * only when the server does not know it yet: once after every Redis restart.
 *
 * <p>Immutable; any thread.
 */
final class LuaScript {
    private final byte[] text;
    private final byte[] sha1;

    LuaScript(String text) {
        this.text = text.getBytes(StandardCharsets.UTF_8);
        this.sha1 = HexFormat.of().formatHex(digest(this.text)).getBytes(StandardCharsets.US_ASCII);
    }

    /** Runs the script; a server that has forgotten it (restarted) gets the text once. */
    Object run(Jedis jedis, List<byte[]> keys, List<byte[]> args) {
        try {
            return jedis.evalsha(sha1, keys, args);
        } catch (JedisNoScriptException e) {
            return jedis.eval(text, keys, args);
        }
    }

    /** Makes sure the server knows the script before {@link #queue} sends it in a pipeline. */
    void load(Jedis jedis) {
        jedis.scriptLoad(text);
    }

    Response<Object> queue(Pipeline pipeline, List<byte[]> keys, List<byte[]> args) {
        return pipeline.evalsha(sha1, keys, args);
    }

    private static byte[] digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }
}
