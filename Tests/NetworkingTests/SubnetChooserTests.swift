import JoistCore
import Networking
import Testing

@Suite("Subnet chooser")
struct SubnetChooserTests {
    @Test("the choice is a 10.X.Y.0/24, the same every time for the same name, different for other names")
    func deterministic() throws {
        let chooser = SubnetChooser(taken: [])
        let first = try #require(chooser.choose(for: "web"))
        #expect(first.prefixLength == 24)
        #expect(first.network.octets[0] == 10 && first.network.octets[3] == 0)
        #expect(SubnetChooser(taken: []).choose(for: "web") == first)
        let others = Set(["db", "lab", "web-2", "build"].compactMap { chooser.choose(for: $0) })
        #expect(others.count == 4 && !others.contains(first))
    }

    @Test("the walk starts at the name's hash: web prefers 10.30.241.0/24 (FNV-1a of \"web\" mod 65536 is 7921)")
    func pinned() {
        #expect(SubnetChooser(taken: []).choose(for: "web")?.description == "10.30.241.0/24")
    }

    @Test("taken prefixes push the choice to the next free candidate, never onto an overlap")
    func avoidsTaken() throws {
        // The preferred /24 is taken by a host route, the next one by a /23 that also covers the one after.
        let taken = [try Samples.subnet("10.30.241.0/24"), try Samples.subnet("10.30.242.0/23")]
        let chosen = try #require(SubnetChooser(taken: taken).choose(for: "web"))
        #expect(chosen.description == "10.30.244.0/24")
        #expect(!taken.contains(where: { $0.overlaps(chosen) }))
    }

    @Test("a default route is not a taken prefix")
    func ignoresDefaultRoute() throws {
        let withDefault = SubnetChooser(taken: [try Samples.subnet("0.0.0.0/0")]).choose(for: "web")
        #expect(withDefault != nil)
        #expect(withDefault == SubnetChooser(taken: []).choose(for: "web"))
    }

    @Test("the walk wraps around the end of 10.0.0.0/8")
    func wraps() throws {
        // Everything from web's preferred 10.30.241.0/24 to the end of 10/8 is taken: the walk goes on at 10.0.0.0.
        var taken = [try Samples.subnet("10.128.0.0/9"), try Samples.subnet("10.64.0.0/10"), try Samples.subnet("10.32.0.0/11")]
        taken += try [("10.31.0.0/16"), ("10.30.244.0/22"), ("10.30.248.0/21"), ("10.30.242.0/23"), ("10.30.241.0/24")]
            .map(Samples.subnet)
        #expect(SubnetChooser(taken: taken).choose(for: "web")?.description == "10.0.0.0/24")
        taken.append(try Samples.subnet("10.0.0.0/24"))
        #expect(SubnetChooser(taken: taken).choose(for: "web")?.description == "10.0.1.0/24")
    }

    @Test("when all of 10.0.0.0/8 is taken there is no choice, and the error says to give a subnet")
    func exhausted() throws {
        let chooser = SubnetChooser(taken: [try Samples.subnet("10.0.0.0/8")])
        #expect(chooser.choose(for: "web") == nil)
        #expect(throws: JoistError.invalidState(
            "cannot choose a subnet for network web: every 10.X.Y.0/24 overlaps a host route or another network; give one with --subnet"
        )) { try chooser.subnet(for: "web") }
    }

    @Test("complete fills a missing subnet, refuses a given one that overlaps, and leaves bridges alone")
    func complete() throws {
        let chooser = SubnetChooser(taken: [try Samples.subnet("10.1.0.0/16")])
        let filled = try chooser.complete(NetworkConfig(name: "web", kind: .nat))
        let subnet = try #require(filled.subnet)
        #expect(!subnet.overlaps(try Samples.subnet("10.1.0.0/16")))
        try filled.validateComplete()

        let given = NetworkConfig(name: "web", kind: .isolated, subnet: try Samples.subnet("10.1.2.0/24"))
        #expect(throws: JoistError.invalidState(
            "subnet 10.1.2.0/24 of network web overlaps 10.1.0.0/16, which a host route or another network uses"
        )) { try chooser.complete(given) }

        let free = NetworkConfig(name: "web", kind: .nat, subnet: try Samples.subnet("10.2.0.0/24"))
        #expect(try chooser.complete(free) == free)
        let lan = NetworkConfig(name: "lan", kind: .bridge, parent: "br0")
        #expect(try chooser.complete(lan) == lan)
    }
}
