# Pastes a command into an interactive bash through a pseudo-terminal, with bracketed paste on, as a
# user pastes "copy as curl" into a terminal; then presses Enter and exits. `curl` is a shell function
# that writes its arguments (NUL-separated) to ./args, so nothing goes to the network.
# Usage: python3 bash-paste.py DIR < command   (DIR: the working directory; the command on stdin)
import os, pty, select, sys, time

workdir = sys.argv[1]
command = sys.stdin.buffer.read()
with open(os.path.join(workdir, 'inputrc'), 'w') as f:
    f.write('set enable-bracketed-paste on\n')
env = {
    'HOME': workdir,
    'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
    'TERM': 'xterm',
    'INPUTRC': os.path.join(workdir, 'inputrc'),
    'PS1': 'READY> ',
    'LANG': 'C.UTF-8',
}
pid, fd = pty.fork()
if pid == 0:
    os.chdir(workdir)
    os.execve('/bin/bash', ['bash', '--norc', '--noprofile', '-i'], env)

out = b''

def read_until(marker, timeout=10.0):
    global out
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if fd in r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return False
            if not data:
                return False
            out += data
            if out.count(marker) >= read_until.seen + 1:
                read_until.seen = out.count(marker)
                return True
    return False
read_until.seen = 0

read_until(b'READY> ')
os.write(fd, b"curl() { printf '%s\\0' \"$@\" > args; }\r")
read_until(b'READY> ')
os.write(fd, b'\x1b[200~' + command + b'\x1b[201~')
time.sleep(0.3)
os.write(fd, b'\r')
read_until(b'READY> ')
os.write(fd, b'exit\r')
read_until(b'\x00never', timeout=2)
# A shell left inside an open quote never reads "exit": stop it.
done, _ = os.waitpid(pid, os.WNOHANG)
if done == 0:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
