// Browser test of a giveaway, end to end, in Debian's Chromium driven by
// playwright-core: a member opens their electronic card on a phone (from
// their personal link), follows it to the demo's 新年礼包, claims it and sees
// a pickup code; a staff member signs in on a phone-sized screen, opens the
// redeem page and types the code (as a scanner would, ending in Enter), and
// the handover is recorded.
//
// Starts the built binary itself, like join.test.mjs: `init --demo` on a
// private SQLite database, then `serve` on a free loopback port.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(process.env.UNIONBRIDGE_BIN
                         || path.join(HERE, '..', '..', 'build', 'unionbridge'));
const CHROMIUM = process.env.UB_CHROMIUM || '/usr/bin/chromium';
const ADMIN_PW = 'Test-Admin-Password-1';
const TIMEOUT = 20000;
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

function idNumber(seq, born = '19900101', region = '110118') {
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Server {
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

  cleanup() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---- The test -------------------------------------------------------------

const OUT = process.env.UB_WEB_OUT || fs.mkdtempSync(path.join(os.tmpdir(), 'ub-web-shots-'));

describe('a gift pack claimed by a member and redeemed by staff', { concurrency: false }, () => {
  const server = new Server();
  let browser, phone, staff, code, failed = false;

  const step = (name, fn) => test(name, async (t) => {
    try {
      await fn(t);
    } catch (e) {
      failed = true;
      throw e;
    }
  });

  async function shot(p, name) {
    fs.mkdirSync(OUT, { recursive: true });
    await p.screenshot({ path: path.join(OUT, name + '.png'), fullPage: true });
  }

  before(async () => {
    await server.start();
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true, timeout: 60000,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const mobile = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true,
                     locale: 'zh-CN' };
    phone = await browser.newContext(mobile);
    staff = await browser.newContext(mobile);
    for (const c of [phone, staff]) {
      c.setDefaultTimeout(TIMEOUT);
      c.setDefaultNavigationTimeout(TIMEOUT);
    }
  });

  after(async () => {
    if (browser) await browser.close().catch(() => {});
    const exit = await server.stop();
    if (failed || exit !== 0) {
      console.error(`server folder kept: ${server.dir}\n--- serve.log (end) ---\n` +
                    server.log().slice(-3000));
    } else {
      server.cleanup();
    }
  });

  step('a member claims the new-year gift pack from their card', async () => {
    // A worker joins the district's union, approved on arrival.
    const admin = execFileSync(BIN, ['token', 'create', 'admin'],
                               { cwd: server.dir, env: server.env, encoding: 'utf8' }).trim();
    const auth = { 'Authorization': 'Bearer ' + admin, 'Content-Type': 'application/json' };
    let r = await fetch(`${server.base}/api/v1/orgs/110118`,
                        { method: 'PATCH', headers: auth, body: JSON.stringify({ auto_approve: true }) });
    assert.equal(r.status, 200);
    const joinToken = server.query("SELECT t.token FROM join_tokens t JOIN orgs o ON " +
                                   "o.id = t.org_id WHERE o.code = '110118' AND t.event_id IS NULL");
    r = await fetch(`${server.base}/api/v1/join/${joinToken}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: '李四', id_number: idNumber(321), phone: '13900004321',
                             category: 'courier', migrant: false, consent_version: '1' }),
    });
    assert.equal(r.status, 201);
    const joined = await r.json();
    assert.equal(joined.status, 'approved');

    const page = await phone.newPage();
    await page.goto(`${server.base}/card?t=${joined.access_token}`);
    await page.waitForURL(/\/card$/);
    await page.getByRole('link', { name: '新年礼包' }).click();
    await page.waitForURL(/\/g\/\d+$/);
    assert.match(await page.locator('main').innerText(), /剩余：500 份/);
    await Promise.all([page.waitForURL(/\/g\/\d+$/),
                       page.getByRole('button', { name: '立即领取' }).click()]);
    code = (await page.locator('#pickup').innerText()).trim();
    assert.match(code, /^[2-9A-HJ-NP-Z]{10}$/);
    await page.locator('.qr svg').waitFor();
    await shot(page, 'giveaway-claimed');
    // Claiming again is refused: the page shows the same code.
    assert.equal(await page.getByRole('button', { name: '立即领取' }).count(), 0);
  });

  step('staff redeem the pickup code on the phone page', async () => {
    const p = await staff.newPage();
    await p.goto(`${server.base}/login`);
    await p.getByLabel('登录名').fill('admin');
    await p.getByLabel('密码').fill(ADMIN_PW);
    await Promise.all([p.waitForURL(/\/console$/), p.getByRole('button', { name: '登录' }).click()]);
    await p.goto(`${server.base}/console/giveaways`);
    await Promise.all([p.waitForURL(/\/console\/giveaways\/\d+$/),
                       p.getByRole('link', { name: '新年礼包' }).click()]);
    const field = p.getByLabel('取货码（扫码或输入）');
    assert.equal(await field.evaluate((e) => e === document.activeElement), true,
                 'the code field has the focus, for a scanner');
    // A scanner types the code and Enter; people may type it in lower case.
    await field.fill(code.toLowerCase());
    await Promise.all([p.waitForLoadState('load'), field.press('Enter')]);
    assert.match(await p.locator('#result').innerText(), /核销成功：李四/);
    await shot(p, 'giveaway-redeemed');
    // The same code a second time is refused.
    await p.getByLabel('取货码（扫码或输入）').fill(code);
    await Promise.all([p.waitForLoadState('load'),
                       p.getByLabel('取货码（扫码或输入）').press('Enter')]);
    assert.match(await p.locator('#result').innerText(), /已于.*核销/);
    assert.equal(server.query('SELECT count(*) FROM giveaway_claims WHERE redeemed_at IS NOT NULL'),
                 '1');
  });
});
