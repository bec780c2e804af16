// Real servers for the snippet tests, each started as a child process on a loopback port with its own prefix
// directory (no system service, nothing outside a temporary folder): nginx, Apache (apache2, prefork with a CGI
// application), Caddy and Go with rs/cors (golang-go and golang-github-rs-cors-dev) from Debian, and Express with
// `cors` and Fastify with `@fastify/cors` from the project's devDependencies. Without a snippet each answers every request with 200 "ok" and no CORS headers; with one, the
// snippet goes where its first line says, its "... as before" placeholder replaced by that same answer.
// With `auth`, each asks for HTTP Basic authentication (AUTHORIZATION) first, as an API behind a login does, and
// answers 401 without it: a preflight, which never carries credentials, is refused there.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export type RunnableServer = 'express' | 'fastify' | 'nginx' | 'apache' | 'caddy' | 'go';

/** What the servers started with `auth` ask for: HTTP Basic, user e2e, password secret. */
export const AUTHORIZATION = 'Basic ZTJlOnNlY3JldA==';
// The same password as each server stores it: nginx's {PLAIN}, Apache's {SHA} (base64 of its SHA-1), and
// bcrypt for Caddy at cost 4, so a test's requests stay cheap (made with `htpasswd -nbB -C 4 e2e secret`).
const SHA1_SECRET = '5en6G6MezRroT3XKqkdPOmY/BfQ=';
const BCRYPT_SECRET = '$2a$04$KcntMTL0euJXhoOKI.oRKuogSbxJrino6RMJM94NJIYAX1s2ssZ3S';

export interface ServerOptions {
  /** Ask for AUTHORIZATION first, and answer 401 without it. */
  auth?: boolean;
}
export const RUNNABLE: RunnableServer[] = ['express', 'fastify', 'nginx', 'apache', 'caddy', 'go'];

const ROOT = resolve(import.meta.dirname, '../../..');

/** A binary from PATH, or from /usr/sbin where Debian puts nginx and Apache (not on every user's PATH). */
function binary(name: string): string {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin']) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return name;
}

const MODULES = '/usr/lib/apache2/modules';

function nginxConf(dir: string, port: number, snippet: string | null, auth: boolean): string {
  // With authentication the answer is a file: "return" would run before auth_basic and skip it.
  const answer = auth ? `root ${dir}/www;` : 'return 200 "ok\\n";';
  const site = snippet?.replace('# ... proxy_pass or root as before', answer) ?? '';
  return `worker_processes 1;
error_log ${dir}/error.log;
pid ${dir}/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
${auth ? `    auth_basic "api";\n    auth_basic_user_file ${dir}/htpasswd;` : ''}
${site}
    location / { ${answer} }
  }
}
`;
}

function apacheConf(dir: string, port: number, snippet: string | null, auth: boolean): string {
  const root = process.getuid?.() === 0;
  return `ServerRoot "${dir}"
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${dir}/httpd.pid
ErrorLog ${dir}/error.log
LoadModule mpm_prefork_module ${MODULES}/mod_mpm_prefork.so
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule alias_module ${MODULES}/mod_alias.so
LoadModule cgi_module ${MODULES}/mod_cgi.so
LoadModule headers_module ${MODULES}/mod_headers.so
LoadModule rewrite_module ${MODULES}/mod_rewrite.so
${auth ? ['auth_basic', 'authn_core', 'authn_file', 'authz_user'].map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`).join('\n') : ''}
${root ? 'User nobody\nGroup nogroup' : ''}
StartServers 1
MinSpareServers 1
MaxSpareServers 2
<VirtualHost 127.0.0.1:${port}>
# The application: every path, every method, 200 "ok".
ScriptAliasMatch ^/ ${dir}/app.cgi
<Directory ${dir}>
  Require all granted
</Directory>
${auth ? `<Location "/">\n  AuthType Basic\n  AuthName "api"\n  AuthBasicProvider file\n  AuthUserFile ${dir}/htpasswd\n  Require valid-user\n</Location>` : ''}
${snippet ?? ''}
</VirtualHost>
`;
}

function caddyfile(port: number, snippet: string | null, auth: boolean): string {
  // Caddy 2.6 spells basic_auth "basicauth".
  const login = (pad: string) => `${pad}basicauth {\n${pad}\te2e ${BCRYPT_SECRET}\n${pad}}\n`;
  const site =
    snippet
      ?.replace(
        /^(\t+)# \.\.\. reverse_proxy or file_server as before$/m,
        (_m, pad: string) => `${auth ? login(pad) : ''}${pad}respond "ok" 200`,
      )
      .replace(
        /^(\t+)# \.\.\. basic_auth \(basicauth before Caddy 2\.8\) or forward_auth, then reverse_proxy or file_server, as before$/m,
        (_m, pad: string) => `${login(pad)}${pad}respond "ok" 200`,
      ) ?? `http://127.0.0.1:${port} {\n${auth ? login('\t') : ''}\trespond "ok" 200\n}`;
  return `{\n\tadmin off\n\tauto_https off\n}\n${site}\n`;
}

const REFUSE_JS = `res.status(401).set('WWW-Authenticate', 'Basic realm="api"').type('text/plain').send('unauthorized\\n')`;

function expressApp(port: number, snippet: string | null, auth: boolean): string {
  return `const express = require('express');
const app = express();
${snippet ?? ''}
${auth ? `app.use((req, res, next) => (req.get('authorization') === '${AUTHORIZATION}' ? next() : ${REFUSE_JS}));` : ''}
app.use((req, res) => res.type('text/plain').send('ok\\n'));
app.listen(${port}, '127.0.0.1', () => console.log('listening'));
`;
}

function fastifyApp(port: number, snippet: string | null, auth: boolean): string {
  return `const fastify = require('fastify')();
(async () => {
${snippet ?? ''}
${
  auth
    ? `  fastify.addHook('onRequest', async (request, reply) => {
    if (request.headers.authorization !== '${AUTHORIZATION}')
      return reply.code(401).header('WWW-Authenticate', 'Basic realm="api"').send('unauthorized\\n');
  });`
    : ''
}
  fastify.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'], url: '/*', handler: async () => 'ok\\n' });
  await fastify.listen({ port: ${port}, host: '127.0.0.1' });
  console.log('listening');
})().catch((e) => { console.error(e); process.exit(1); });
`;
}

function goProgram(port: number, snippet: string | null, auth: boolean): string {
  const login = auth
    ? `\t// The API's authentication, around the mux.
\thandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
\t\tif r.Header.Get("Authorization") != "${AUTHORIZATION}" {
\t\t\tw.Header().Set("WWW-Authenticate", \`Basic realm="api"\`)
\t\t\thttp.Error(w, "unauthorized", http.StatusUnauthorized)
\t\t\treturn
\t\t}
\t\tmux.ServeHTTP(w, r)
\t})
`
    : '';
  return `package main

import (
\t"net/http"
${snippet ? '\n\t"github.com/rs/cors"\n' : ''})

func main() {
\tmux := http.NewServeMux()
\tmux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\\n")) })
${login}${snippet ?? `\thttp.ListenAndServe(":${port}", ${auth ? 'handler' : 'mux'})`}
}
`;
}

// Debian's Go packages live in GOPATH form; the build cache is shared by the runs of one machine.
const GO_ENV = {
  GO111MODULE: 'off',
  GOPATH: '/usr/share/gocode',
  GOFLAGS: '',
  GOCACHE: join(tmpdir(), 'corscope-go-cache'),
};

/** Writes the server's files in a fresh folder; the command that runs it, and the one that validates it. */
function prepare(kind: RunnableServer, port: number, snippet: string | null, opts: ServerOptions = {}) {
  const auth = opts.auth ?? false;
  const dir = mkdtempSync(join(tmpdir(), `corscope-${kind}-`));
  chmodSync(dir, 0o755); // Apache's workers run as nobody
  if (auth) {
    writeFileSync(
      join(dir, 'htpasswd'),
      `e2e:${kind === 'apache' ? `{SHA}${SHA1_SECRET}` : '{PLAIN}secret'}\n`,
    );
    // nginx answers an authenticated request with a file: every path the tests call holds "ok".
    mkdirSync(join(dir, 'www/api'), { recursive: true });
    writeFileSync(join(dir, 'www/api/items'), 'ok\n');
  }
  const env = {
    ...process.env,
    HOME: dir,
    XDG_DATA_HOME: dir,
    XDG_CONFIG_HOME: dir,
    NODE_PATH: join(ROOT, 'node_modules'),
  };
  switch (kind) {
    case 'nginx': {
      const conf = join(dir, 'nginx.conf');
      writeFileSync(conf, nginxConf(dir, port, snippet, auth));
      const base = ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')];
      return {
        dir,
        env,
        conf,
        run: [binary('nginx'), ...base, '-g', 'daemon off;'],
        check: [binary('nginx'), '-t', ...base],
      };
    }
    case 'apache': {
      const conf = join(dir, 'httpd.conf');
      writeFileSync(conf, apacheConf(dir, port, snippet, auth));
      writeFileSync(join(dir, 'app.cgi'), '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nok\\n"\n', {
        mode: 0o755,
      });
      return {
        dir,
        env,
        conf,
        run: [binary('apache2'), '-f', conf, '-DFOREGROUND'],
        check: [binary('apache2ctl'), '-t', '-f', conf],
      };
    }
    case 'caddy': {
      const conf = join(dir, 'Caddyfile');
      writeFileSync(conf, caddyfile(port, snippet, auth));
      const base = ['--config', conf, '--adapter', 'caddyfile'];
      return {
        dir,
        env,
        conf,
        run: [binary('caddy'), 'run', ...base],
        check: [binary('caddy'), 'validate', ...base],
      };
    }
    case 'go': {
      const conf = join(dir, 'main.go');
      writeFileSync(conf, goProgram(port, snippet, auth));
      const goEnv = { ...env, ...GO_ENV };
      return {
        dir,
        env: goEnv,
        conf,
        run: ['sh', '-c', `cd ${dir} && go build -o app main.go && exec ./app`],
        check: [binary('go'), 'vet', conf],
      };
    }
    default: {
      const conf = join(dir, 'server.cjs');
      writeFileSync(
        conf,
        kind === 'express' ? expressApp(port, snippet, auth) : fastifyApp(port, snippet, auth),
      );
      return { dir, env, conf, run: [process.execPath, conf], check: [process.execPath, '--check', conf] };
    }
  }
}

/** The server's own check of its configuration: nginx -t, apache2ctl -t, caddy validate, go vet (node --check for JS). */
export function validate(
  kind: RunnableServer,
  port: number,
  snippet: string,
  opts: ServerOptions = {},
): { ok: boolean; output: string } {
  const p = prepare(kind, port, snippet, opts);
  try {
    const r = spawnSync(p.check[0]!, p.check.slice(1), { env: p.env, encoding: 'utf8', timeout: 60_000 });
    return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}` };
  } finally {
    rmSync(p.dir, { recursive: true, force: true });
  }
}

export interface RunningServer {
  origin: string;
  /** What the server printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Starts the server on the port and waits until it accepts connections (at most 60 s: Go compiles first). */
export async function startServer(
  kind: RunnableServer,
  port: number,
  snippet: string | null,
  opts: ServerOptions = {},
): Promise<RunningServer> {
  const p = prepare(kind, port, snippet, opts);
  let out = '';
  // A process group of its own: Apache (prefork) ends by signalling its whole group, which would be the tests'.
  const child: ChildProcess = spawn(p.run[0]!, p.run.slice(1), {
    env: p.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await Promise.race([exit, new Promise((r) => setTimeout(r, 5000))]);
    if (!exited) child.kill('SIGKILL');
    await exit;
    rmSync(p.dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 600 && !exited; i++) {
    if (await listening(port)) return { origin: `http://127.0.0.1:${port}`, output: () => out, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`${kind} did not start on port ${port}:\n${out}`);
}
