import GuestAgent
import Testing

@Suite("Guest commands as guest-exec takes them")
struct GuestCommandTests {
    @Test("without cwd the program and arguments go as they are; the agent's environment is kept")
    func plain() throws {
        let command = try GuestCommand(command: ["ls", "-l", "a b;c"])
        #expect(command.path == "ls" && command.arguments == ["-l", "a b;c"] && command.environment.isEmpty)
    }

    @Test("cwd runs through sh with the directory and the command as arguments, never inside the script")
    func changeDirectory() throws {
        let command = try GuestCommand(command: ["cat", "$(reboot)"], cwd: "/tmp/it's \"here\"")
        #expect(command.path == "/bin/sh")
        #expect(command.arguments == ["-c", #"cd "$1" && shift && exec "$@""#, "sh", "/tmp/it's \"here\"", "cat", "$(reboot)"])
    }

    @Test("variables are sorted NAME=value entries, with a default PATH unless one is given")
    func environment() throws {
        let command = try GuestCommand(command: ["env"], environment: ["B": "2", "A": "x=y"])
        #expect(command.environment == ["A=x=y", "B=2", GuestCommand.defaultPath])
        let withPath = try GuestCommand(command: ["env"], environment: ["PATH": "/bin"])
        #expect(withPath.environment == ["PATH=/bin"])
    }

    @Test("bad input is refused with a reason", arguments: [
        ([String](), [String: String](), String?.none, GuestCommandError.emptyCommand),
        (["ls"], [:], "tmp", .relativeDirectory("tmp")),
        (["ls"], ["A=B": "1"], nil, .badVariableName("A=B")),
        (["ls"], ["": "1"], nil, .badVariableName("")),
        (["ls\0x"], [:], nil, .nulByte("ls\\0x")),
    ])
    func refused(command: [String], environment: [String: String], cwd: String?, error: GuestCommandError) {
        #expect(throws: error) { try GuestCommand(command: command, environment: environment, cwd: cwd) }
    }

    @Test("guest paths must be absolute file paths without . or ..", arguments: [
        ("/etc/motd", true), ("etc/motd", false), ("/", false), ("/tmp/", false), ("/tmp/../etc/shadow", false), ("/a/./b", false),
        ("/a\0b", false), ("/tmp/file name", true),
    ])
    func paths(path: String, valid: Bool) {
        let accepted = (try? GuestPath.validate(path)) != nil
        #expect(accepted == valid)
    }
}
