package muchat.codec;

import java.io.OutputStream;
import muchat.net.Buffer;

/** Lets Jackson write JSON straight into a {@link Buffer}. Threads: the buffer's. */
final class BufferOutputStream extends OutputStream {
    private final Buffer buffer;

    BufferOutputStream(Buffer buffer) {
        this.buffer = buffer;
    }

    @Override
    public void write(int b) {
        buffer.appendByte(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        buffer.append(b, off, len);
    }
}
