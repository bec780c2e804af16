// A machine for the browser finder and setup: its files (each an executable, with what `--version` prints),
// folders, texts, environment, os-release and user.
import type { Host } from '../../../src/browsers/setup';

export interface FakeMachine {
  platform: NodeJS.Platform;
  env?: Record<string, string>;
  /** Executable files, each with what `path --version` prints (null: it prints nothing, or fails). */
  executables?: Record<string, string | null>;
  dirs?: Record<string, string[]>;
  texts?: Record<string, string>;
  osRelease?: string | null;
  isRoot?: boolean;
}

export interface FakeHost extends Host {
  /** Every path whose version was asked, in order. */
  versionAsked: string[];
  /** Puts an executable on the machine (an install). */
  add(path: string, versionOutput: string | null): void;
  /** Puts a folder with these names on the machine (an install). */
  addDir(path: string, names: string[]): void;
}

export function fakeHost(m: FakeMachine): FakeHost {
  const executables = new Map(Object.entries(m.executables ?? {}));
  const dirs = new Map(Object.entries(m.dirs ?? {}));
  const versionAsked: string[] = [];
  return {
    platform: m.platform,
    env: m.env ?? {},
    isExecutable: (path) => executables.has(path),
    versionOutput(path) {
      versionAsked.push(path);
      return executables.get(path) ?? null;
    },
    listDir: (path) => dirs.get(path) ?? [],
    readText: (path) => m.texts?.[path] ?? null,
    osRelease: m.osRelease ?? null,
    isRoot: m.isRoot ?? false,
    versionAsked,
    add: (path, out) => executables.set(path, out),
    addDir: (path, names) => dirs.set(path, names),
  };
}

export const DEBIAN_12 = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`;

export const UBUNTU_24 = `PRETTY_NAME="Ubuntu 24.04.2 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
ID=ubuntu
ID_LIKE=debian
UBUNTU_CODENAME=noble
`;

export const FEDORA_42 = `NAME="Fedora Linux"
VERSION="42 (Workstation Edition)"
ID=fedora
VERSION_ID=42
`;

export const ROCKY_9 = `NAME="Rocky Linux"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.5"
`;

export const ARCH = `NAME="Arch Linux"
PRETTY_NAME="Arch Linux"
ID=arch
BUILD_ID=rolling
`;

export const VOID = `NAME="Void"
ID="void"
PRETTY_NAME="Void Linux"
`;
