import JoistCore
import Testing

@Suite("Lifecycle state machine")
struct LifecycleTests {
    /// Drives a fresh lifecycle through `events`, returning the final state and the last actions.
    private func run(_ events: [Lifecycle.Event], from state: InstanceState = .stopped) throws -> (InstanceState, [Lifecycle.Action]) {
        var lifecycle = Lifecycle(name: "web-1", state: state)
        var actions: [Lifecycle.Action] = []
        for event in events { actions = try lifecycle.handle(event) }
        return (lifecycle.state, actions)
    }

    @Test("start launches QEMU and a successful launch makes it running")
    func startRuns() throws {
        #expect(try run([.start]) == (.starting, [.launch]))
        #expect(try run([.start, .launched]).0 == .running)
    }

    @Test("a failed launch returns to stopped and cleans up")
    func launchFailure() throws {
        #expect(try run([.start, .launchFailed]) == (.stopped, [.cleanUp]))
        #expect(try run([.start, .processExited]) == (.stopped, [.cleanUp]))
    }

    @Test("a second start is refused in every state that has a process", arguments: [
        InstanceState.starting, .running, .paused, .stopping, .error,
    ])
    func secondStartRefused(state: InstanceState) {
        var lifecycle = Lifecycle(name: "web-1", state: state)
        #expect(throws: JoistError.self) { try lifecycle.handle(.start) }
        #expect(lifecycle.state == state)
    }

    @Test("the refusal names the instance and its state")
    func refusalMessage() {
        var lifecycle = Lifecycle(name: "web-1", state: .running)
        do {
            _ = try lifecycle.handle(.start)
            Issue.record("start on a running instance must be refused")
        } catch {
            #expect(error.code == .invalidState)
            #expect(error.message == "instance web-1 is already running")
        }
    }

    @Test("graceful stop powers down; the guest powering off ends in stopped")
    func gracefulStop() throws {
        #expect(try run([.stop(force: false)], from: .running) == (.stopping, [.powerDown]))
        #expect(try run([.stop(force: false), .guestShutdown, .processExited], from: .running) == (.stopped, [.cleanUp]))
    }

    @Test("a paused guest is resumed before the power-down so it can handle ACPI")
    func gracefulStopWhilePaused() throws {
        #expect(try run([.stop(force: false)], from: .paused) == (.stopping, [.resumeVCPUs, .powerDown]))
    }

    @Test("forced stop and a timed-out graceful stop terminate QEMU")
    func forcedStop() throws {
        #expect(try run([.stop(force: true)], from: .running) == (.stopping, [.terminate]))
        #expect(try run([.stop(force: false), .stopTimedOut], from: .running) == (.stopping, [.terminate]))
        #expect(try run([.stop(force: true)], from: .error) == (.stopping, [.terminate]))
    }

    @Test("stopping a stopped instance is refused")
    func stopStopped() {
        var lifecycle = Lifecycle(name: "db", state: .stopped)
        #expect(throws: JoistError.invalidState("instance db is not running")) { try lifecycle.handle(.stop(force: false)) }
    }

    @Test("a guest that powers itself off becomes stopped on its own")
    func guestPoweroff() throws {
        #expect(try run([.guestShutdown, .processExited], from: .running).0 == .stopped)
    }

    @Test("QEMU dying unexpectedly stops the instance from any live state", arguments: [
        InstanceState.running, .paused, .stopping, .error,
    ])
    func unexpectedExit(state: InstanceState) throws {
        #expect(try run([.processExited], from: state) == (.stopped, [.cleanUp]))
    }

    @Test("pause and resume move between running and paused")
    func pauseResume() throws {
        #expect(try run([.pause], from: .running) == (.paused, [.pauseVCPUs]))
        #expect(try run([.resume], from: .paused) == (.running, [.resumeVCPUs]))
        #expect(try run([.vcpusStopped], from: .running).0 == .paused)
        #expect(try run([.vcpusResumed], from: .paused).0 == .running)
    }

    @Test("pause is refused unless running; resume unless paused")
    func pauseResumeRefused() {
        var stopped = Lifecycle(name: "a", state: .stopped)
        #expect(throws: JoistError.self) { try stopped.handle(.pause) }
        var running = Lifecycle(name: "a", state: .running)
        #expect(throws: JoistError.invalidState("instance a is not paused")) { try running.handle(.resume) }
    }

    @Test("a guest panic is an error state until stopped")
    func panic() throws {
        #expect(try run([.guestPanicked], from: .running).0 == .error)
        #expect(try run([.guestPanicked, .stop(force: false), .processExited], from: .running).0 == .stopped)
    }

    @Test("reset keeps a running guest running")
    func reset() throws {
        #expect(try run([.guestReset], from: .running) == (.running, []))
    }

    @Test("re-attaching after a daemon restart restores running or paused")
    func reattach() throws {
        #expect(try run([.reattached(running: true)]).0 == .running)
        #expect(try run([.reattached(running: false)]).0 == .paused)
    }

    @Test("QMP events that do not apply are ignored, not errors")
    func ignoredEvents() throws {
        #expect(try run([.vcpusStopped, .guestReset, .processExited]) == (.stopped, []))
        #expect(try run([.vcpusStopped], from: .stopping) == (.stopping, []))
    }
}
