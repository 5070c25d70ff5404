import JoistCore

extension RequestScope {
    /// Refuses a request that names files on joistd's host unless it came through the Unix socket.
    ///
    /// The socket's caller is root on this host already; a token holder, even a global admin, must never
    /// have joistd read or write host files for them, nor learn which exist. So this runs before anything
    /// looks at `paths`. `instead` says what a remote caller can do.
    func requireHostFileAccess(_ paths: [String], to action: String, instead: String) throws(JoistError) {
        guard !paths.isEmpty, !viaUnixSocket else { return }
        throw .forbidden(
            "cannot \(action): only the local administrator on joistd's Unix socket may name files on joistd's host "
                + "(\(paths.joined(separator: ", "))); \(instead)")
    }
}
