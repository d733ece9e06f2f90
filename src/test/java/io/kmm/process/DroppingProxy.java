package io.kmm.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy on 127.0.0.1 in front of a plain-HTTP API server that closes the connection, without an answer, on
 * chosen list requests: the fault a real API server produced once in CI while the operator's informers started
 * ({@code HttpClosedException: Connection was closed} on the first list of PreflightValidations). Watches
 * ({@code watch=true}) are never dropped. Requests are recognised by their request line in the client's byte stream,
 * which is enough for HTTP/1.1 on a loopback connection (a request line is never split across the proxy's 64 KiB
 * reads in practice; a split one is simply forwarded).
 */
final class DroppingProxy implements AutoCloseable {

    private static final Pattern REQUEST_LINE = Pattern.compile("(?m)^([A-Z]+) (\\S+) HTTP/1\\.[01]\r?\n");

    private final int upstreamPort;
    private final ServerSocket server;
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final List<String> dropped = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    DroppingProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "dropping-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/";
    }

    /** The next {@code count} GET requests (not watches) whose path matches the regexp get their connection closed. */
    void dropLists(String pathRegexp, int count) {
        faults.add(new Fault(Pattern.compile(pathRegexp), new AtomicInteger(count)));
    }

    /** Stops dropping anything. */
    void heal() {
        faults.clear();
    }

    /** The requests dropped so far, as {@code METHOD path}. */
    List<String> dropped() {
        return List.copyOf(dropped);
    }

    long droppedMatching(String pathRegexp) {
        Pattern p = Pattern.compile(pathRegexp);
        return dropped.stream().map(r -> r.substring(r.indexOf(' ') + 1)).map(DroppingProxy::pathOf)
                .filter(path -> p.matcher(path).find()).count();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                sockets.add(client);
                sockets.add(upstream);
                pump(upstream.getInputStream(), client.getOutputStream(), client, upstream, false);
                pump(client.getInputStream(), upstream.getOutputStream(), client, upstream, true);
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("dropping proxy: " + e);
                }
            }
        }
    }

    private void pump(InputStream in, OutputStream out, Socket client, Socket upstream, boolean requests) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[65536];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (requests && shouldDrop(new String(buffer, 0, n, StandardCharsets.ISO_8859_1))) {
                        break;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the other side closed: close both below
            } finally {
                quietlyClose(client);
                quietlyClose(upstream);
            }
        }, "dropping-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private boolean shouldDrop(String bytes) {
        Matcher m = REQUEST_LINE.matcher(bytes);
        while (m.find()) {
            String method = m.group(1);
            String target = m.group(2);
            if (!method.equals("GET") || target.contains("watch=true")) {
                continue;
            }
            String path = pathOf(target);
            for (Fault fault : faults) {
                if (fault.path().matcher(path).find() && fault.left().getAndDecrement() > 0) {
                    dropped.add(method + " " + target);
                    return true;
                }
            }
        }
        return false;
    }

    private static String pathOf(String target) {
        return target.indexOf('?') < 0 ? target : target.substring(0, target.indexOf('?'));
    }

    private static void quietlyClose(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private record Fault(Pattern path, AtomicInteger left) {
    }
}
