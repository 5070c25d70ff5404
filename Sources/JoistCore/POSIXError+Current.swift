public import Foundation

extension POSIXError {
    /// The error `errno` names right now (EIO when it names none Foundation knows).
    public static func current() -> POSIXError { POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
}
