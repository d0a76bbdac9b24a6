package muchat.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * A growable byte buffer laid out as muduo's {@code Buffer}:
 *
 * <pre>
 * +-------------------+------------------+------------------+
 * | prependable bytes |  readable bytes  |  writable bytes  |
 * |                   |     (CONTENT)    |                  |
 * +-------------------+------------------+------------------+
 * 0      <=      readerIndex   <=   writerIndex    <=     capacity
 * </pre>
 *
 * <p>Readers consume from {@code readerIndex}, writers append at {@code writerIndex}.
 * The prependable area lets a codec write a length header in front of a body it has
 * already encoded, without copying the body. When the buffer runs out of writable
 * space it first slides the content back to the front (if enough room was consumed
 * there) and only grows when that is not enough.
 *
 * <p>A fresh buffer owns no array at all, and {@link #release()} gives the array back
 * once the content is consumed: an idle connection then pins no buffer memory.
 *
 * <p>Threads: not thread-safe. A buffer belongs to one connection and is touched only
 * by that connection's loop thread, or to one thread that builds a message in it.
 */
public final class Buffer {
    /** Room kept in front of the content for a header written after the body. */
    public static final int CHEAP_PREPEND = 8;

    private static final byte[] NO_BYTES = new byte[0];
    private static final int FIRST_CAPACITY = 256;

    private byte[] array = NO_BYTES;
    private int readerIndex;
    private int writerIndex;

    public Buffer() {
    }

    /** A buffer that already has room for {@code initialSize} bytes after the prepend area. */
    public Buffer(int initialSize) {
        ensureWritable(initialSize);
    }

    public int readableBytes() {
        return writerIndex - readerIndex;
    }

    public int writableBytes() {
        return array.length - writerIndex;
    }

    public int prependableBytes() {
        return readerIndex;
    }

    public boolean isReadable() {
        return writerIndex > readerIndex;
    }

    /** The backing array, for zero-copy parsing; readable bytes start at {@link #readerIndex()}. */
    public byte[] array() {
        return array;
    }

    public int readerIndex() {
        return readerIndex;
    }

    // ---- peeking and consuming ---------------------------------------------------

    public byte peekByte(int offset) {
        checkReadable(offset + 1);
        return array[readerIndex + offset];
    }

    /** The unsigned big-endian 16-bit value at {@code offset} from the reader index. */
    public int peekUnsignedShort(int offset) {
        checkReadable(offset + 2);
        int i = readerIndex + offset;
        return ((array[i] & 0xff) << 8) | (array[i + 1] & 0xff);
    }

    /** The unsigned big-endian 32-bit value at {@code offset} from the reader index. */
    public long peekUnsignedInt(int offset) {
        checkReadable(offset + 4);
        int i = readerIndex + offset;
        return ((long) (array[i] & 0xff) << 24) | ((array[i + 1] & 0xff) << 16)
                | ((array[i + 2] & 0xff) << 8) | (array[i + 3] & 0xff);
    }

    /** Index (relative to the reader index) of the first {@code b} at or after {@code from}, or -1. */
    public int indexOf(byte b, int from) {
        for (int i = readerIndex + from; i < writerIndex; i++) {
            if (array[i] == b) {
                return i - readerIndex;
            }
        }
        return -1;
    }

    /** Consumes {@code n} readable bytes. */
    public void skip(int n) {
        checkReadable(n);
        if (n < readableBytes()) {
            readerIndex += n;
        } else {
            clear();
        }
    }

    /** Consumes everything; the array is kept for reuse. */
    public void clear() {
        readerIndex = array.length == 0 ? 0 : CHEAP_PREPEND;
        writerIndex = readerIndex;
    }

    /** Drops the backing array if nothing is readable, so an idle owner holds no memory. */
    public void release() {
        if (!isReadable()) {
            array = NO_BYTES;
            readerIndex = 0;
            writerIndex = 0;
        }
    }

    // ---- appending ----------------------------------------------------------------

    public Buffer append(byte[] src) {
        return append(src, 0, src.length);
    }

    public Buffer append(byte[] src, int offset, int length) {
        ensureWritable(length);
        System.arraycopy(src, offset, array, writerIndex, length);
        writerIndex += length;
        return this;
    }

    /** Appends the remaining bytes of {@code src} and advances its position. */
    public Buffer append(ByteBuffer src) {
        int n = src.remaining();
        ensureWritable(n);
        src.get(array, writerIndex, n);
        writerIndex += n;
        return this;
    }

    public Buffer append(String text) {
        return append(text.getBytes(StandardCharsets.UTF_8));
    }

    public Buffer appendByte(int b) {
        ensureWritable(1);
        array[writerIndex++] = (byte) b;
        return this;
    }

    public Buffer appendShort(int v) {
        ensureWritable(2);
        array[writerIndex++] = (byte) (v >>> 8);
        array[writerIndex++] = (byte) v;
        return this;
    }

    public Buffer appendInt(int v) {
        ensureWritable(4);
        putInt(writerIndex, v);
        writerIndex += 4;
        return this;
    }

    /** Writes {@code v} in the 4 bytes just before the content, e.g. a length header. */
    public Buffer prependInt(int v) {
        prependSpace(4);
        putInt(readerIndex, v);
        return this;
    }

    public Buffer prependShort(int v) {
        prependSpace(2);
        array[readerIndex] = (byte) (v >>> 8);
        array[readerIndex + 1] = (byte) v;
        return this;
    }

    /**
     * Reserves {@code n} bytes at the end and returns where they start, for a writer that
     * fills them in place (e.g. an encoder streaming into the array). Follow with
     * {@link #hasWritten(int)}.
     */
    public int beginWrite(int n) {
        ensureWritable(n);
        return writerIndex;
    }

    /** Marks {@code n} bytes after the writer index as content. */
    public void hasWritten(int n) {
        if (n < 0 || n > writableBytes()) {
            throw new IndexOutOfBoundsException("hasWritten " + n + " with " + writableBytes() + " writable");
        }
        writerIndex += n;
    }

    // ---- channel IO -----------------------------------------------------------------

    /**
     * Reads once from {@code channel} into the writable area (which must not be empty).
     *
     * @return bytes read, or -1 at end of stream
     */
    public int readFrom(ReadableByteChannel channel) throws IOException {
        if (writableBytes() == 0) {
            throw new IllegalStateException("no writable space to read into");
        }
        int n = channel.read(ByteBuffer.wrap(array, writerIndex, writableBytes()));
        if (n > 0) {
            writerIndex += n;
        }
        return n;
    }

    /**
     * Writes as much of the content as {@code channel} takes now and consumes it.
     *
     * @return the number of bytes written
     */
    public int writeTo(WritableByteChannel channel) throws IOException {
        int n = channel.write(ByteBuffer.wrap(array, readerIndex, readableBytes()));
        skip(n);
        return n;
    }

    /**
     * Detaches the content as a heap ByteBuffer without copying and leaves this buffer
     * empty and array-less: the caller becomes the only owner of those bytes.
     */
    public ByteBuffer detach() {
        ByteBuffer out = ByteBuffer.wrap(array, readerIndex, readableBytes());
        array = NO_BYTES;
        readerIndex = 0;
        writerIndex = 0;
        return out;
    }

    @Override
    public String toString() {
        return "Buffer[readable=" + readableBytes() + ", writable=" + writableBytes()
                + ", prependable=" + prependableBytes() + "]";
    }

    // ---- space management -------------------------------------------------------------

    /** Makes room for {@code n} more bytes, sliding the content forward or growing. */
    public void ensureWritable(int n) {
        if (writableBytes() >= n) {
            return;
        }
        int readable = readableBytes();
        if (array.length > 0 && readerIndex - CHEAP_PREPEND + writableBytes() >= n) {
            // Enough space was consumed at the front: slide the content back instead of growing.
            System.arraycopy(array, readerIndex, array, CHEAP_PREPEND, readable);
        } else {
            int needed = CHEAP_PREPEND + readable + n;
            int capacity = Math.max(FIRST_CAPACITY, array.length);
            while (capacity < needed) {
                capacity = capacity <= (Integer.MAX_VALUE >> 1) ? capacity << 1 : Integer.MAX_VALUE;
            }
            byte[] bigger = new byte[capacity];
            System.arraycopy(array, readerIndex, bigger, CHEAP_PREPEND, readable);
            array = bigger;
        }
        readerIndex = CHEAP_PREPEND;
        writerIndex = CHEAP_PREPEND + readable;
    }

    private void prependSpace(int n) {
        if (n > readerIndex) {
            throw new IndexOutOfBoundsException("prepend " + n + " with " + readerIndex + " prependable");
        }
        readerIndex -= n;
    }

    private void putInt(int index, int v) {
        array[index] = (byte) (v >>> 24);
        array[index + 1] = (byte) (v >>> 16);
        array[index + 2] = (byte) (v >>> 8);
        array[index + 3] = (byte) v;
    }

    private void checkReadable(int n) {
        if (n < 0 || n > readableBytes()) {
            throw new IndexOutOfBoundsException("need " + n + " bytes, " + readableBytes() + " readable");
        }
    }
}
