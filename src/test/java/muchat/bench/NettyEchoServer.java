package muchat.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The peer our echo server is measured against: a plain Netty 4.1 echo server with the
 * same command line as {@code muchat.jar echo} ({@code --port P --io-threads N}
 * [{@code --tls-cert CERT.pem --tls-key KEY.pem}]).
 *
 * <p>With a certificate every channel starts with Netty's {@code SslHandler} on the JDK's
 * {@code SSLEngine} (the provider ours uses too, so the comparison stays between the
 * reactors), TLS 1.3 and 1.2.
 *
 * <p>It runs on the NIO transport by default, that is on the same JDK selector as our
 * reactor, so the comparison is between the two reactors and not between epoll
 * bindings; {@code --epoll} switches to Netty's native transport for reference.
 * One acceptor thread, N worker threads, Netty's default pooled direct buffers,
 * TCP_NODELAY, and a handler that writes and flushes every read back at once.
 * Netty is a test-scope dependency, so this class runs from the test class path
 * (scripts/bench.sh builds it), never from muchat.jar.
 */
public final class NettyEchoServer {
    private NettyEchoServer() {
    }

    /** Echoes every read straight back; one instance serves every channel. */
    @ChannelHandler.Sharable
    private static final class EchoHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A peer resetting its connection is expected when a load client exits.
            ctx.close();
        }
    }

    public static void main(String[] args) throws InterruptedException, SSLException {
        Flags flags;
        try {
            flags = Flags.parse(args, List.of("port", "io-threads", "tls-cert", "tls-key"), List.of("epoll"));
        } catch (IllegalArgumentException e) {
            System.err.println("netty-echo: " + e.getMessage());
            System.err.println("usage: NettyEchoServer --port P [--io-threads N] [--epoll]"
                    + " [--tls-cert CERT.pem --tls-key KEY.pem]");
            System.exit(2);
            return;
        }
        int port = flags.positiveInt("port", 9981);
        int ioThreads = flags.positiveInt("io-threads", 1);
        boolean epoll = flags.isSet("epoll");
        String cert = flags.string("tls-cert", "");
        SslContext tls = cert.isEmpty() ? null
                : SslContextBuilder.forServer(new File(cert), new File(flags.string("tls-key", "")))
                        .sslProvider(SslProvider.JDK).protocols("TLSv1.3", "TLSv1.2").build();
        EchoHandler echo = new EchoHandler();
        EventLoopGroup boss = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        EventLoopGroup workers = epoll ? new EpollEventLoopGroup(ioThreads) : new NioEventLoopGroup(ioThreads);
        Class<? extends ServerChannel> channelType =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        try {
            Channel server = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(channelType)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(tls == null ? echo : new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(tls.newHandler(channel.alloc()), echo);
                        }
                    })
                    .bind(port).sync().channel();
            System.out.printf("netty echo listening port=%d io-threads=%d transport=%s tls=%s%n",
                    port, ioThreads, epoll ? "epoll" : "nio", tls == null ? "off" : "on");
            server.closeFuture().sync();
        } finally {
            boss.shutdownGracefully();
            workers.shutdownGracefully();
        }
    }
}
