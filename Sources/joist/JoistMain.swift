import CLI

@main
struct JoistMain {
    static func main() async {
        await JoistCommand.main(GlobalArguments.hoist(Array(CommandLine.arguments.dropFirst())))
    }
}
