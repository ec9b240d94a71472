// fio 3.33's engines that swio does not implement yet, with the options of theirs that fio's
// own example job files use: a job file that names one parses (with --ignore-unsupported it
// is reported, not run), and its options are checked as fio checks them.

import SwioCore

enum FioEngines {
    static let names = ["sg", "splice", "io_uring_cmd",
        "cpuio", "e4defrag", "falloc", "filecreate", "filestat", "filedelete", "dircreate", "dirstat", "dirdelete",
        "ftruncate", "exec", "http", "rdma", "rbd", "rados", "nbd", "nfs", "libblkio", "libzbc", "dev-dax",
        "libpmem", "libiscsi", "gfapi", "libhdfs", "mtd", "windowsaio", "solarisaio", "guasi", "xnvme"]

    static func options(_ name: String) -> [OptionSpec] {
        switch name {
        case "io_uring_cmd": return [OptionSpec("cmd_type", .string, "io_uring_cmd type")]
        case "sg": return [OptionSpec("sg_write_mode", .string, "sg write mode")]
        case "e4defrag": return [OptionSpec("donorname", .string, "e4defrag donor file")]
        default: return []
        }
    }

    static let notImplemented: [EngineDescriptor] = names.map { n in
        EngineDescriptor.unavailable(n, "ioengine=\(n) is a fio engine swio does not implement yet")
            .with(options: options(n), origin: "fio (not in swio)")
    }
}

extension EngineDescriptor {
    func with(options: [OptionSpec], origin: String) -> EngineDescriptor {
        var d = self
        d.options = options
        d.origin = origin
        return d
    }
}
