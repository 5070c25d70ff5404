import Foundation
import JoistCore
import Testing

@testable import ImageBuilder

@Suite("Image build plans")
struct BuildPlanTests {
    let layout = BuildLayout(folder: "/state/image-builds/b1", output: "/state/staging/build-b1.qcow2")
    let uuid = "0b6c3a5e-1d2f-4e3a-9a8b-7c6d5e4f3a2b"

    func request(size: ByteSize = BuildRequest.defaultSize) throws -> BuildRequest {
        try BuildRequest(recipe: Distribution.debian12.recipe(for: .amd64, mirror: "http://deb.debian.org/debian"), size: size,
            mirror: "http://deb.debian.org/debian")
    }

    func commands(_ plan: BuildPlan) -> [String] {
        plan.steps.compactMap { step in
            if case .run = step.action { return step.action.description }
            return nil
        }
    }

    @Test("debootstrap installs the recipe's packages from the mirror, then every package must be configured")
    func debootstrap() throws {
        let plan = try BuildPlan(try request(), layout: layout, rootUUID: uuid)
        let lines = commands(plan)
        let first = try #require(lines.first)
        #expect(first.hasPrefix("debootstrap --variant=minbase --arch=amd64 --components=main --include="))
        #expect(first.hasSuffix(" bookworm /state/image-builds/b1/root http://deb.debian.org/debian"))
        for package in ["linux-image-cloud-amd64", "systemd-sysv", "cloud-init", "qemu-guest-agent", "openssh-server", "sudo", "ifupdown",
            "isc-dhcp-client", "python3-cffi-backend"]
        {
            #expect(first.contains(package), "\(package) in \(first)")
        }
        #expect(lines[1] == "chroot /state/image-builds/b1/root /usr/bin/dpkg --configure --pending")
    }

    @Test("the steps come in order: packages, configuration, disk, file system, bootloader (MBR code, core image before the partition), qcow2")
    func order() throws {
        let plan = try BuildPlan(try request(), layout: layout, rootUUID: uuid)
        #expect(plan.stages == ["installing packages", "configuring", "partitioning", "making the file system", "installing the bootloader", "converting"])
        let tail = Array(commands(plan).suffix(8))
        let size = 8 << 30
        #expect(
            tail == [
                "truncate --size \(size) /state/image-builds/b1/disk.raw",
                "sfdisk --quiet --no-reread --no-tell-kernel /state/image-builds/b1/disk.raw < /state/image-builds/b1/partitions.sfdisk",
                "cp -R /usr/lib/grub/i386-pc /state/image-builds/b1/root/boot/grub/",
                "mkfs.ext4 -q -F -U \(uuid) -L root -d /state/image-builds/b1/root -E offset=1048576 /state/image-builds/b1/disk.raw \((size - (1 << 20)) / 1024)k",
                "grub-mkimage -O i386-pc -o /state/image-builds/b1/core.img -p (hd0,msdos1)/boot/grub biosdisk part_msdos ext2",
                "dd if=/usr/lib/grub/i386-pc/boot.img of=/state/image-builds/b1/disk.raw bs=440 count=1 conv=notrunc status=none",
                "dd if=/state/image-builds/b1/core.img of=/state/image-builds/b1/disk.raw bs=512 seek=1 conv=notrunc status=none",
                "qemu-img convert -q -f raw -O qcow2 -c /state/image-builds/b1/disk.raw /state/staging/build-b1.qcow2",
            ])
    }

    @Test("cloud-init reads only NoCloud, fstab and GRUB name the root by UUID, the machine id is empty, services are enabled")
    func configuration() throws {
        let plan = try BuildPlan(try request(), layout: layout, rootUUID: uuid)
        var written: [String: String] = [:]
        for step in plan.steps {
            if case .write(let path, let contents, _) = step.action { written[path] = contents }
        }
        let root = "/state/image-builds/b1/root"
        #expect(written[root + "/etc/cloud/cloud.cfg.d/90-joist-datasource.cfg"] == "datasource_list: [ NoCloud, None ]\n")
        #expect(written[root + "/etc/machine-id"] == "")
        #expect(written[root + "/etc/fstab"]?.contains("UUID=\(uuid) / ext4 errors=remount-ro 0 1") == true)
        let grub = try #require(written[root + "/boot/grub/grub.cfg"])
        #expect(grub.contains("set timeout=0"))
        #expect(grub.contains("linux /vmlinuz root=UUID=\(uuid) ro console=ttyS0,115200n8"))
        #expect(grub.contains("search --no-floppy --fs-uuid --set=root \(uuid)"))
        #expect(written[root + "/etc/apt/sources.list"]?.hasPrefix("deb http://deb.debian.org/debian bookworm main\n") == true)
        #expect(written["/state/image-builds/b1/partitions.sfdisk"] == "label: dos\nstart=2048, type=83, bootable\n")
        #expect(commands(plan).contains("chroot \(root) /usr/bin/systemctl enable ssh.service serial-getty@ttyS0.service"))
        #expect(plan.steps.contains { $0.action == .remove(path: root + "/etc/ssh/ssh_host_ed25519_key") })
    }

    @Test("a recipe file path that leaves the installed system is refused", arguments: ["etc/passwd", "/etc/../../x", "/etc//x", "/./x"])
    func escapingPath(path: String) throws {
        var recipe = Distribution.debian12.recipe(for: .amd64, mirror: "http://deb.debian.org/debian")
        recipe.files.append(ConfigFile(path, "x"))
        let request = try BuildRequest(recipe: recipe, mirror: "http://deb.debian.org/debian")
        #expect(throws: JoistError.self) { try BuildPlan(request, layout: layout, rootUUID: uuid) }
    }
}

@Suite("Image build requests")
struct BuildRequestTests {
    let mirror = "http://deb.debian.org/debian"

    @Test("the cache key depends on the recipe, size and mirror, and on nothing else")
    func cacheKey() throws {
        let recipe = Distribution.debian12.recipe(for: .amd64, mirror: mirror)
        let a = try BuildRequest(recipe: recipe, mirror: mirror)
        let b = try BuildRequest(recipe: recipe, mirror: mirror)
        #expect(a.cacheKey == b.cacheKey)
        #expect(a.cacheKey.count == 64 && a.cacheKey.allSatisfy(\.isHexDigit))
        #expect(a.cacheAlias == "build-" + a.cacheKey.prefix(32))
        #expect(try BuildRequest(recipe: recipe, size: .gibibytes(10), mirror: mirror).cacheKey != a.cacheKey)
        var other = recipe
        other.packages.append("htop")
        #expect(try BuildRequest(recipe: other, mirror: mirror).cacheKey != a.cacheKey)
        let elsewhere = "http://mirror.example.org/debian"
        #expect(try BuildRequest(recipe: Distribution.debian12.recipe(for: .amd64, mirror: elsewhere), mirror: elsewhere).cacheKey != a.cacheKey)
    }

    @Test("sizes below the minimum or not whole sectors, other architectures and unknown distributions are refused, naming what works")
    func refusals() throws {
        let recipe = Distribution.debian12.recipe(for: .amd64, mirror: mirror)
        #expect(throws: JoistError.invalidArgument("an image of 1GiB is too small: a built image needs at least 2GiB")) {
            try BuildRequest(recipe: recipe, size: .gibibytes(1), mirror: mirror)
        }
        #expect(throws: JoistError.self) { try BuildRequest(recipe: recipe, size: ByteSize(bytes: (3 << 30) + 1), mirror: mirror) }
        #expect(throws: JoistError.invalidArgument("cannot build images for architecture 'arm64': only amd64 is supported")) {
            try Architecture(parsing: "arm64")
        }
        #expect(throws: JoistError.invalidArgument("cannot build 'ubuntu-24.04': the image builder knows debian-12")) {
            try Distribution(parsing: "ubuntu-24.04")
        }
    }
}

@Suite("Debian mirrors from apt sources")
struct MirrorTests {
    @Test("deb822 sources: the first deb stanza of Debian's archive, not the security archive")
    func deb822() {
        let sources = """
            Types: deb
            # http://snapshot.debian.org/archive/debian-security/20250520T000000Z
            URIs: http://deb.debian.org/debian-security
            Suites: bookworm-security
            Components: main

            Types: deb deb-src
            URIs: http://ftp.de.debian.org/debian/
            Suites: bookworm bookworm-updates
            Components: main
            """
        #expect(Mirror.find(in: [("debian.sources", sources)]) == "http://ftp.de.debian.org/debian/")
        #expect(Mirror.find(in: [("debian.sources", "Types: deb\nEnabled: no\nURIs: http://a.example/debian\n")]) == nil)
    }

    @Test("one-line sources, with options, in file order")
    func oneLine() {
        let list = "# comment\ndeb-src http://src.example/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] http://proxy.lan:3142/debian bookworm main\n"
        #expect(Mirror.find(in: [("sources.list", list), ("x.sources", "Types: deb\nURIs: http://later.example/debian\n")]) == "http://proxy.lan:3142/debian")
    }

    @Test("a mirror must be a plain http(s) URL", arguments: ["ftp://x/debian", "http://x/debian bookworm", "http://x/$(reboot)", "file:///srv/debian"])
    func invalid(mirror: String) {
        #expect(throws: JoistError.self) { try Mirror.validate(mirror) }
    }

    @Test("mountinfo paths are unescaped and listed deepest first")
    func mountPoints() {
        let info = """
            22 1 0:21 / / rw - ext4 /dev/vda rw
            40 22 0:5 / /s/b1/root/proc rw - proc proc rw
            41 22 0:6 / /s/b1/root/sys rw - sysfs sysfs rw
            42 22 7:0 / /s/b1/mnt\\040x rw - ext4 /dev/loop0p1 rw
            43 22 7:0 / /s/b10 rw - ext4 /dev/loop1p1 rw
            """
        #expect(BuildCleanup.mountPoints(under: "/s/b1", mountInfo: info) == ["/s/b1/root/proc", "/s/b1/root/sys", "/s/b1/mnt x"])
    }
}
