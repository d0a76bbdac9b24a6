package muchat.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BufferTest {

    @Test
    void aFreshBufferOwnsNoMemoryUntilWrittenTo() {
        Buffer buffer = new Buffer();
        assertEquals(0, buffer.array().length);
        assertEquals(0, buffer.readableBytes());
        buffer.append("x");
        assertTrue(buffer.array().length > 0);
    }

    @Test
    void appendAndConsumeKeepTheIndicesInOrder() {
        Buffer buffer = new Buffer();
        buffer.append("hello, world");
        assertEquals(12, buffer.readableBytes());
        assertEquals(Buffer.CHEAP_PREPEND, buffer.prependableBytes());
        assertEquals("hello", consume(buffer, 5));
        assertEquals(7, buffer.readableBytes());
        assertEquals(Buffer.CHEAP_PREPEND + 5, buffer.prependableBytes());
        assertEquals(", world", consumeAll(buffer));
        assertEquals(Buffer.CHEAP_PREPEND, buffer.prependableBytes(), "consuming everything rewinds the indices");
    }

    @Test
    void growsWhenTheContentDoesNotFit() {
        Buffer buffer = new Buffer();
        byte[] big = new byte[10_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        buffer.append(big, 0, 100).append(big, 100, big.length - 100);
        assertArrayEquals(big, Arrays.copyOfRange(buffer.array(), buffer.readerIndex(), buffer.readerIndex() + big.length));
    }

    @Test
    void slidesContentForwardInsteadOfGrowingWhenTheFrontWasConsumed() {
        Buffer buffer = new Buffer(100);
        byte[] array = buffer.array();
        int capacity = buffer.writableBytes();
        buffer.append(new byte[capacity - 10]);
        buffer.skip(capacity - 20);
        buffer.append(new byte[50]); // only 10 writable, but 10 readable + 50 fit once slid back
        assertSame(array, buffer.array(), "no new array");
        assertEquals(60, buffer.readableBytes());
        assertEquals(Buffer.CHEAP_PREPEND, buffer.prependableBytes());
    }

    @Test
    void prependWritesAHeaderInFrontOfTheBody() {
        Buffer buffer = new Buffer();
        buffer.append("body");
        buffer.prependInt(4).prependShort(7);
        assertEquals(7, buffer.peekUnsignedShort(0));
        assertEquals(4, buffer.peekUnsignedInt(2));
        buffer.skip(6);
        assertEquals("body", consumeAll(buffer));
    }

    @Test
    void prependingMoreThanTheReservedRoomFails() {
        Buffer buffer = new Buffer();
        buffer.append("x");
        buffer.prependInt(1).prependInt(2);
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.prependShort(3));
    }

    @Test
    void peeksAreUnsignedAndBigEndian() {
        Buffer buffer = new Buffer();
        buffer.appendByte(0xff).appendByte(0xfe).appendInt(0xfffffffe);
        assertEquals(0xfffe, buffer.peekUnsignedShort(0));
        assertEquals(0xfffffffeL, buffer.peekUnsignedInt(2));
    }

    @Test
    void readingPastTheContentFailsWithoutMovingTheIndices() {
        Buffer buffer = new Buffer();
        buffer.append("abc");
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.peekUnsignedInt(0));
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.skip(4));
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.skip(-1));
        assertEquals(3, buffer.readableBytes());
    }

    @Test
    void indexOfFindsOnlyReadableBytes() {
        Buffer buffer = new Buffer();
        buffer.append("a\0b\0");
        assertEquals(1, buffer.indexOf((byte) 0, 0));
        assertEquals(3, buffer.indexOf((byte) 0, 2));
        buffer.skip(2);
        assertEquals(1, buffer.indexOf((byte) 0, 0));
        assertEquals(-1, buffer.indexOf((byte) 'a', 0));
    }

    @Test
    void releaseDropsTheArrayOnlyWhenEmpty() {
        Buffer buffer = new Buffer();
        buffer.append("partial");
        buffer.release();
        assertEquals("partial", consumeAll(buffer), "content survives a release");
        buffer.release();
        assertEquals(0, buffer.array().length);
        buffer.append("again");
        assertEquals("again", consumeAll(buffer));
    }

    @Test
    void detachGivesAwayTheBytesWithoutCopying() {
        Buffer buffer = new Buffer();
        buffer.append("abc");
        byte[] array = buffer.array();
        ByteBuffer taken = buffer.detach();
        assertSame(array, taken.array());
        assertEquals("abc", StandardCharsets.UTF_8.decode(taken).toString());
        assertEquals(0, buffer.readableBytes());
        assertEquals(0, buffer.array().length);
    }

    @Test
    void readsFromAndWritesToChannels() throws IOException {
        byte[] data = "over the wire".getBytes(StandardCharsets.UTF_8);
        ReadableByteChannel in = Channels.newChannel(new java.io.ByteArrayInputStream(data));
        Buffer buffer = new Buffer(64);
        assertEquals(data.length, buffer.readFrom(in));
        assertEquals(-1, buffer.readFrom(in));
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        WritableByteChannel out = Channels.newChannel(sink);
        assertEquals(data.length, buffer.writeTo(out));
        assertFalse(buffer.isReadable());
        assertArrayEquals(data, sink.toByteArray());
    }

    @Test
    void beginWriteAndHasWrittenFillInPlace() {
        Buffer buffer = new Buffer();
        int at = buffer.beginWrite(3);
        buffer.array()[at] = 'x';
        buffer.array()[at + 1] = 'y';
        buffer.hasWritten(2);
        assertEquals("xy", consumeAll(buffer));
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.hasWritten(1 << 20));
    }

    /** Consumes {@code n} bytes as UTF-8 text, the way a parser reads: from the array, then skip. */
    private static String consume(Buffer buffer, int n) {
        String text = new String(buffer.array(), buffer.readerIndex(), n, StandardCharsets.UTF_8);
        buffer.skip(n);
        return text;
    }

    private static String consumeAll(Buffer buffer) {
        return consume(buffer, buffer.readableBytes());
    }
}
