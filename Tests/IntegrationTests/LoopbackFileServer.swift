import Foundation
import JoistTesting

/// A Python HTTP server on 127.0.0.1 (a free port) serving the files of a folder, plus `/stall`: a
/// download that announces 1GiB, sends 1MiB and then nothing until the client goes away, so an
/// import can be caught in the middle and cancelled.
struct LoopbackFileServer: Sendable {
    let folder: String
    let port: Int

    static let script = """
        import http.server, sys, time
        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass
            def do_GET(self):
                if self.path != "/stall":
                    return super().do_GET()
                self.send_response(200)
                self.send_header("Content-Length", str(1 << 30))
                self.end_headers()
                self.wfile.write(b"x" * (1 << 20))
                self.wfile.flush()
                for _ in range(600):
                    time.sleep(0.1)
        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
        server = Server(("127.0.0.1", 0), lambda *a, **k: Handler(*a, directory=sys.argv[1], **k))
        with open(sys.argv[2], "w") as port:
            port.write(str(server.server_address[1]))
        server.serve_forever()
        """

    /// `http://127.0.0.1:PORT/PATH`.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    /// Serves `folder` on the loopback of `joist`'s network namespace while `body` runs; the server is
    /// killed afterwards, whatever happens.
    static func with(folder: String, for joist: DaemonHarness, _ body: (LoopbackFileServer) async throws -> Void) async throws {
        let portFile = folder + "/.port"
        let process = try SpawnedProcess(joist.inNetwork(["/usr/bin/python3", "-c", script, folder, portFile]))
        do {
            let server = LoopbackFileServer(folder: folder, port: try await port(from: portFile, of: process))
            try await body(server)
        } catch {
            await process.kill()
            throw error
        }
        await process.kill()
    }

    /// The port the server wrote, once it listens.
    private static func port(from file: String, of process: SpawnedProcess) async throws -> Int {
        for _ in 0..<500 {
            if let text = try? String(contentsOfFile: file, encoding: .utf8), let port = Int(text) { return port }
            guard process.exitStatus == nil else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSetupError("the loopback HTTP server did not start")
    }
}
