import HostMetrics
import Testing

@Suite("/proc parsers")
struct ProcParserTests {
    static let procStat = """
        cpu  1384222 0 145910 1818670 13874 0 5683 4356 0 0
        cpu0 687516 0 74039 912535 7587 0 2541 2188 0 0
        intr 1 2 3
        """

    @Test("/proc/stat: busy counts user, nice, system, irq, softirq and steal; idle counts idle and iowait")
    func hostCPU() throws {
        let times = try #require(HostCPUTimes.parse(procStat: Self.procStat))
        #expect(times.busy == 1384222 + 145910 + 5683 + 4356)
        #expect(times.idle == 1818670 + 13874)
        let later = HostCPUTimes(busy: times.busy + 150, idle: times.idle + 50)
        #expect(later.busyPercent(since: times) == 75)
        #expect(times.busyPercent(since: later) == nil, "a counter going back gives no figure")
        #expect(times.busyPercent(since: times) == nil, "no time passed")
        #expect(HostCPUTimes.parse(procStat: "intr 1 2\n") == nil)
    }

    @Test("/proc/meminfo: total and available in bytes (kB are KiB); used is their difference")
    func meminfo() throws {
        let memory = try #require(HostMemory.parse(meminfo: "MemTotal:       24731708 kB\nMemFree:         9546864 kB\nMemAvailable:   23886988 kB\nHugePages_Total:       0\n"))
        #expect(memory.totalBytes == 24731708 * 1024)
        #expect(memory.availableBytes == 23886988 * 1024)
        #expect(memory.usedBytes == (24731708 - 23886988) * 1024)
        #expect(HostMemory.parse(meminfo: "MemTotal: 1 kB\n") == nil, "no MemAvailable: no figure")
    }

    @Test("/proc/loadavg and /proc/uptime")
    func loadAndUptime() {
        #expect(LoadAverages.parse(loadavg: "0.43 1.02 1.97 1/90 15505\n") == LoadAverages(one: 0.43, five: 1.02, fifteen: 1.97))
        #expect(LoadAverages.parse(loadavg: "0.43\n") == nil)
        #expect(HostUptime.parse(uptime: "16873.68 18186.70\n") == 16873.68)
    }

    @Test("/proc/PID/stat: utime + stime and the start time, with spaces and parentheses in the command")
    func processStat() throws {
        let text = "15509 (qemu (x) 1) S 15500 15500 11936 0 -1 4194304 101 0 0 0 120 35 0 0 20 0 1 0 1687368 3133440 388 18446744073709551615 0\n"
        let times = try #require(ProcessCPUTimes.parse(stat: text))
        #expect(times.ticks == 155)
        #expect(times.startTime == 1687368)
        #expect(ProcessCPUTimes.parse(stat: "15509 (cat) R 1 2") == nil)
    }

    @Test("/proc/PID/status: VmRSS in bytes; none for a zombie")
    func processStatus() {
        #expect(ProcessMemory.parse(status: "Name:\tqemu\nVmPeak:\t  999 kB\nVmRSS:\t    2032 kB\nThreads:\t4\n") == 2032 * 1024)
        #expect(ProcessMemory.parse(status: "Name:\tqemu\nState:\tZ (zombie)\n") == nil)
    }

    @Test("/proc/net/dev: received and transmitted bytes per interface; the headers are skipped")
    func netDev() {
        let text = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo: 1287704   15037    0    0    0     0          0         0  1287704   15037    0    0    0     0       0          0
            jt-0123456789ab:500 5 0 0 0 0 0 0 9000 12 0 0 0 0 0 0
            """
        let counters = InterfaceCounters.parse(netDev: text)
        #expect(counters.count == 2)
        #expect(counters["jt-0123456789ab"] == InterfaceCounters.Bytes(received: 500, transmitted: 9000))
        // The tap's transmit is what reached the guest.
        let guest = GuestReading.ByteCounters.guestView(ofTap: counters["jt-0123456789ab"]!)
        #expect(guest.first == 9000 && guest.second == 500)
    }
}
