import Daemon
import Hummingbird
import JoistAPI
import JoistCore
import Networking

/// `/1.0/instances/{name}/firewall…` and `/1.0/networks/{network}/firewall…`: firewall rules. An
/// instance's rules belong to its project, changed by its operators like the rest of its config; a
/// network's rules and default policy cover every project's NICs on it, so only a global admin
/// changes them. Rules are numbered in their list; `DELETE …/firewall/{id}` removes one.
enum FirewallRoutes {
    static func register(on table: inout RouteTable) {
        let instances = table.services.instances
        let networks = table.services.networks
        table.add(.get, "/1.0/instances/{name}/firewall", .project(.viewer), action: "instance.firewall-list") { _, context, scope in
            JSONBody.response(try await instances.firewall(of: context.parameters.require("name"), in: scope.project))
        }
        table.add(.post, "/1.0/instances/{name}/firewall", .project(.operator), action: "instance.firewall-add") { request, context, scope in
            let name = try context.parameters.require("name")
            context.auditNote.target = name
            let rule = try await JSONBody.decode(FirewallRuleCreate.self, allowed: FirewallRuleCreate.fields, from: request, context: context).rule()
            return JSONBody.response(try await instances.addFirewallRule(rule, to: name, in: scope.project), status: .created)
        }
        table.add(.delete, "/1.0/instances/{name}/firewall/{id}", .project(.operator), action: "instance.firewall-remove") { _, context, scope in
            let name = try context.parameters.require("name")
            context.auditNote.target = name
            try await instances.removeFirewallRule(try ruleID(context), from: name, in: scope.project)
            return Response(status: .noContent)
        }
        table.add(.get, "/1.0/networks/{network}/firewall", .any(.viewer), action: "network.firewall-list") { _, context, _ in
            JSONBody.response(try await networks.firewall(ofNetwork: context.parameters.require("network")))
        }
        table.add(.post, "/1.0/networks/{network}/firewall", .global(.admin), action: "network.firewall-add") { request, context, _ in
            let name = try context.parameters.require("network")
            context.auditNote.target = name
            let rule = try await JSONBody.decode(FirewallRuleCreate.self, allowed: FirewallRuleCreate.fields, from: request, context: context).rule()
            return JSONBody.response(try await networks.addFirewallRule(rule, toNetwork: name), status: .created)
        }
        table.add(.delete, "/1.0/networks/{network}/firewall/{id}", .global(.admin), action: "network.firewall-remove") { _, context, _ in
            let name = try context.parameters.require("network")
            context.auditNote.target = name
            try await networks.removeFirewallRule(try ruleID(context), fromNetwork: name)
            return Response(status: .noContent)
        }
        table.add(.put, "/1.0/networks/{network}/firewall/policy", .global(.admin), action: "network.firewall-policy") { request, context, _ in
            let name = try context.parameters.require("network")
            context.auditNote.target = name
            let policy = try await JSONBody.decode(FirewallPolicy.self, allowed: ["in", "out"], from: request, context: context)
            return JSONBody.response(try await networks.setFirewallPolicy(policy, ofNetwork: name))
        }
    }

    /// The `{id}` of a rule: a positive number.
    private static func ruleID(_ context: JoistRequestContext) throws -> Int {
        let text = try context.parameters.require("id")
        guard let id = Int(text), id >= 1 else {
            throw JoistError.invalidArgument("firewall rule '\(text)' is not a rule number; `joist firewall list` shows them")
        }
        return id
    }
}
