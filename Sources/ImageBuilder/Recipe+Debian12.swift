extension Recipe {
    /// Debian 12 (bookworm) as a cloud image: the cloud kernel, systemd, cloud-init reading only a
    /// NoCloud seed, the QEMU guest agent, OpenSSH, sudo, and ifupdown with the ISC DHCP client
    /// (cloud-init on Debian 12 renders its network config to /etc/network/interfaces.d), plus
    /// growpart so a root disk made larger than the image is grown at first boot. GRUB comes from
    /// the host (`BuildPlan`), so the image carries no bootloader package.
    public static func debian12(architecture: Architecture, mirror: String) -> Recipe {
        Recipe(
            distribution: Distribution.debian12.rawValue, suite: "bookworm", architecture: architecture,
            packages: [
                "linux-image-cloud-\(architecture.rawValue)", "systemd-sysv", "udev", "dbus", "cloud-init", "cloud-guest-utils",
                "fdisk", "qemu-guest-agent", "openssh-server", "sudo", "ifupdown", "isc-dhcp-client", "iproute2",
                "ca-certificates",
                // debootstrap does not resolve virtual packages: python3-cryptography (cloud-init) needs
                // the cffi backend, which only provides python3-cffi-backend-api-*.
                "python3-cffi-backend",
            ],
            files: debian12Files(mirror: mirror),
            removals: ["/etc/ssh/ssh_host_rsa_key", "/etc/ssh/ssh_host_rsa_key.pub", "/etc/ssh/ssh_host_ecdsa_key",
                "/etc/ssh/ssh_host_ecdsa_key.pub", "/etc/ssh/ssh_host_ed25519_key", "/etc/ssh/ssh_host_ed25519_key.pub",
                "/var/lib/dbus/machine-id"],
            services: ["ssh.service", "serial-getty@ttyS0.service"],
            kernelCommandLine: "console=ttyS0,115200n8")
    }

    private static func debian12Files(mirror: String) -> [ConfigFile] {
        [
            // Only a NoCloud seed (the cidata disk Joist attaches) is looked for: probing cloud
            // metadata services that are not there costs minutes at every boot.
            ConfigFile("/etc/cloud/cloud.cfg.d/90-joist-datasource.cfg", "datasource_list: [ NoCloud, None ]\n"),
            // C.UTF-8 is built into glibc; cloud-init's default (en_US.UTF-8) would need generating,
            // and fails without it.
            ConfigFile("/etc/cloud/cloud.cfg.d/91-joist-locale.cfg", "locale: C.UTF-8\n"),
            // A placeholder: cloud-init sets the instance's hostname from its meta-data.
            ConfigFile("/etc/hostname", "debian\n"),
            ConfigFile("/etc/hosts", "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n"),
            // debootstrap copies the host's; the guest's DHCP client writes its own.
            ConfigFile("/etc/resolv.conf", ""),
            ConfigFile(
                "/etc/apt/sources.list",
                """
                deb \(mirror) bookworm main
                deb \(mirror) bookworm-updates main
                deb http://security.debian.org/debian-security bookworm-security main

                """),
            // cloud-init writes the interfaces it configures into interfaces.d.
            ConfigFile("/etc/network/interfaces", "auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n"),
            // Empty: systemd makes a new machine id at each instance's first boot.
            ConfigFile("/etc/machine-id", "", mode: 0o444),
        ]
    }
}
