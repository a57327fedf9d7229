// Shared by the browser tests: a valid ID number generator, and a Server
// that runs the built binary like tests/api/harness.py does: `init --demo`
// on a private SQLite database, then `serve` on a free loopback port.
//
// Environment: UNIONBRIDGE_BIN (meson sets it; default ../../build/unionbridge),
// UB_CHROMIUM (default /usr/bin/chromium), UB_WEB_OUT (where screenshots go;
// default a new temporary folder).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const BIN = path.resolve(process.env.UNIONBRIDGE_BIN
                                || path.join(HERE, '..', '..', 'build', 'unionbridge'));
export const CHROMIUM = process.env.UB_CHROMIUM || '/usr/bin/chromium';
export const ADMIN_PW = 'Test-Admin-Password-1';
export const STAFF_PW = 'Staff-Password-2026';
// Slow under sanitizers: generous, but a hang still fails well inside meson's 300 s.
export const TIMEOUT = 20000;
export const OUT = process.env.UB_WEB_OUT
                   || fs.mkdtempSync(path.join(os.tmpdir(), 'ub-web-shots-'));

// ---- A valid resident ID number (GB 11643), computed here ----------------

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

export function idNumber(seq, born = '19900101', region = '110118') {
  const body = region + born + String(seq % 1000).padStart(3, '0');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * WEIGHTS[i];
  return body + '10X98765432'[sum % 11];
}


// ---- The server ---------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Server {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ub-web-'));
    this.dbPath = path.join(this.dir, 'ub.db');
    this.logPath = path.join(this.dir, 'serve.log');
    this.env = {
      ...process.env,
      UNIONBRIDGE_DB: 'sqlite:' + this.dbPath,
      UNIONBRIDGE_ADMIN_PASSWORD: ADMIN_PW,
      TZ: 'Asia/Shanghai',
    };
    this.proc = null;
    this.exit = null;
  }

  async start() {
    try {
      execFileSync(BIN, ['init', '--demo'], { cwd: this.dir, env: this.env, stdio: 'pipe',
                                              timeout: 120000 });
    } catch (e) {
      throw new Error(`${BIN} init --demo failed (${e.status ?? e.code}): ${e.stderr || ''}`);
    }
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    const log = fs.openSync(this.logPath, 'a');
    this.proc = spawn(BIN, ['serve', '--listen', `127.0.0.1:${this.port}`, '--threads', '4'],
                      { cwd: this.dir, env: this.env, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.exit = new Promise((resolve) =>
      this.proc.on('exit', (code, signal) => resolve(signal ? 'signal ' + signal : code)));
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null)
        throw new Error('serve exited:\n' + this.log());
      try {
        const r = await fetch(this.base + '/healthz');
        if (r.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    throw new Error('serve did not start:\n' + this.log());
  }

  log() {
    try {
      return fs.readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  query(sql) {
    return execFileSync('sqlite3', ['-batch', '-noheader', this.dbPath, sql],
                        { encoding: 'utf8' }).trim();
  }

  // SIGTERM; resolves to the exit code (or 'signal X' / 'hung').
  async stop() {
    if (!this.proc) return 0;
    const proc = this.proc;
    this.proc = null;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    let timer;
    const hung = new Promise((r) => { timer = setTimeout(() => r('hung'), 30000); });
    const code = await Promise.race([this.exit, hung]);
    clearTimeout(timer);
    if (code === 'hung') {
      proc.kill('SIGKILL');
      await this.exit;
    }
    return code;
  }

  // Runs a CLI command on the server's database; returns its stdout.
  cli(args, input) {
    return execFileSync(BIN, args, { cwd: this.dir, env: this.env, input, encoding: 'utf8' });
  }

  // A staff account with STAFF_PW; returns a script token for it.
  user(login, role, org) {
    this.cli(['user', 'add', login, '--role', role, '--org', org], STAFF_PW + '\n');
    return this.cli(['token', 'create', login]).trim();
  }

  // A JSON API call with a Bearer token; resolves to { status, body }.
  async api(method, p, body, token) {
    const r = await fetch(this.base + p, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() };
  }

  cleanup() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// Headless Debian Chromium with a fresh temporary profile (removed on close).
export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60000,
  });
}

// A phone-sized context (an Android phone's WeChat browser).
export function phoneContext(browser) {
  return browser.newContext({
    viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true,
    deviceScaleFactor: 2, locale: 'zh-CN',
    userAgent: 'Mozilla/5.0 (Linux; Android 13; Phone) AppleWebKit/537.36 (KHTML, like Gecko) ' +
               'Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0',
  });
}

export async function shot(p, name) {
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, name + '.png');
  await p.screenshot({ path: file, fullPage: true });
  console.log('screenshot: ' + file);
  return file;
}

// Signs a page in to the console.
export async function signIn(p, base, login, password) {
  await p.goto(`${base}/login`);
  await p.getByLabel('登录名').fill(login);
  await p.getByLabel('密码').fill(password);
  await Promise.all([p.waitForURL(/\/console/), p.getByRole('button', { name: '登录' }).click()]);
}
