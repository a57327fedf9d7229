// Browser test of scan-to-join, end to end, in Debian's Chromium driven by
// playwright-core (which never downloads a browser):
//
//   a worker on a phone opens the join page of 密云区总工会 (110118), gets a
//   wrong ID check digit refused next to the field, fixes it, submits, and
//   sees the application pending on /card; a staff member on a desktop signs
//   in, approves it in the console, and the worker's /card becomes the
//   electronic member card with a QR code; then the staff member uploads
//   the GBK sample roster and downloads the report of its refused rows.
//
// The server and browser come from common.mjs.  Run through meson
// (`meson test -C build --suite web`) or see README.md.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_PW, Server, TIMEOUT, idNumber, launch, phoneContext, shot, signIn } from './common.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ORG = '110118';
const GOOD_ID = idNumber(123);
const BAD_ID = GOOD_ID.slice(0, 17) + (GOOD_ID[17] === '0' ? '1' : '0');

// ---- The test -------------------------------------------------------------

describe('scan-to-join in a browser', { concurrency: false }, () => {
  const server = new Server();
  let browser;
  let phone;          // the worker's phone: one context, so one cookie jar
  let desk;           // a staff member's desktop
  let page;           // the phone's page
  let token;
  let joinBytes = 0;  // bytes on the wire for the join page: HTML + CSS
  const requests = [];
  let failed = false;

  // Each case marks the run failed, to keep the server's folder and log.
  const step = (name, fn) => test(name, async (t) => {
    try {
      await fn(t);
    } catch (e) {
      failed = true;
      throw e;
    }
  });

  before(async () => {
    await server.start();
    token = server.query('SELECT t.token FROM join_tokens t JOIN orgs o ON o.id = t.org_id ' +
                         `WHERE o.code = '${ORG}' AND t.event_id IS NULL`);
    assert.match(token, /^[A-Za-z0-9_-]{8,}$/, 'join token of ' + ORG);
    // playwright-core's launch() gives the browser a fresh temporary profile
    // (user-data-dir) and removes it on close.
    browser = await launch();
    phone = await phoneContext(browser);
    desk = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    for (const c of [phone, desk]) {
      c.setDefaultTimeout(TIMEOUT);
      c.setDefaultNavigationTimeout(TIMEOUT);
      c.on('request', (r) => requests.push(r.url()));
    }
    page = await phone.newPage();
  });

  after(async () => {
    if (browser) await browser.close().catch(() => {});
    const code = await server.stop();
    if (failed || code !== 0) {
      console.error(`server folder kept: ${server.dir}\n--- serve.log (end) ---\n` +
                    server.log().slice(-3000));
    } else {
      server.cleanup();
    }
  });

  step('a Chinese font is installed (else the pages show boxes)', () => {
    const fonts = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
    assert.ok(fonts.trim(), 'no font covers Chinese: install fonts-noto-cjk');
  });

  step('the join page renders in Chinese on a phone', async () => {
    const sized = [];
    const onResponse = (resp) => sized.push(resp);
    page.on('response', onResponse);
    const resp = await page.goto(`${server.base}/j/${token}`);
    assert.equal(resp.status(), 200);
    await page.waitForLoadState('load');
    page.off('response', onResponse);
    for (const r of sized) {
      const u = new URL(r.url());
      if (u.pathname === `/j/${token}` || u.pathname === '/static/join.css') {
        const s = await r.request().sizes();
        joinBytes += s.responseHeadersSize + s.responseBodySize;
      }
    }
    assert.ok(sized.some((r) => new URL(r.url()).pathname === '/static/join.css'),
              'the style sheet was loaded');
    assert.equal(await page.locator('h1').innerText(), '加入工会');
    assert.match(await page.locator('header').innerText(), /密云区总工会/);
    for (const label of ['姓名', '身份证号', '手机号', '职工类别'])
      assert.equal(await page.getByLabel(label, { exact: true }).count(), 1, label);
    await page.getByText('是否外地来京务工').waitFor();
    await page.getByRole('button', { name: '提交入会申请' }).waitFor();
    // Fits the phone: nothing wider than the screen.
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 375, `page is ${wide}px wide on a 375px screen`);
    // The style sheet applied (join.css styles the submit button).
    const fontSize = await page.locator('input#name').evaluate(
      (e) => parseFloat(getComputedStyle(e).fontSize));
    assert.ok(fontSize >= 16, `input font ${fontSize}px: phones zoom in below 16px`);
  });

  async function fillForm(id) {
    await page.getByLabel('姓名', { exact: true }).fill('张三');
    await page.getByLabel('身份证号', { exact: true }).fill(id);
    await page.getByLabel('手机号', { exact: true }).fill('13900001234');
    await page.getByLabel('职工类别', { exact: true }).selectOption('courier');
    await page.getByLabel('是', { exact: true }).check();
    await page.locator('input[name="consent"]').check();
  }

  async function submit() {
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'
                                  && new URL(r.url()).pathname === `/j/${token}`),
      page.getByRole('button', { name: '提交入会申请' }).tap(),
    ]);
    await page.waitForLoadState('load');
    return resp;
  }

  step('a wrong ID check digit is shown next to the field, keeping the input', async () => {
    await fillForm(BAD_ID);
    const resp = await submit();
    assert.equal(resp.status(), 422);
    const err = page.locator('#id_number-e');
    assert.equal((await err.innerText()).trim(), '身份证号校验位不正确');
    // The message sits in the ID number's block, which is marked.
    const block = page.locator('div.f.bad');
    assert.equal(await block.count(), 1);
    assert.equal(await block.locator('#id_number').count(), 1);
    assert.equal(await block.locator('#id_number-e').count(), 1);
    assert.ok(await err.isVisible());
    assert.equal(await page.getByLabel('姓名', { exact: true }).inputValue(), '张三');
    assert.equal(await page.getByLabel('手机号', { exact: true }).inputValue(), '13900001234');
    assert.equal(await page.getByLabel('职工类别', { exact: true }).inputValue(), 'courier');
    assert.ok(await page.locator('input[name="consent"]').isChecked());
    await shot(page, 'join-error');
    assert.equal(server.query("SELECT count(*) FROM applications WHERE name = '张三'"), '0');
  });

  step('a valid form is accepted and says what happens next', async () => {
    await fillForm(GOOD_ID);
    const resp = await submit();
    assert.equal(resp.status(), 200);
    await page.getByRole('heading', { name: '入会申请已提交' }).waitFor();
    assert.match(await page.locator('main').innerText(), /接收单位：密云区总工会/);
    await shot(page, 'join-success');
    assert.equal(server.query("SELECT status FROM applications WHERE name = '张三'"), 'pending');
  });

  step('the card page shows the application under review', async () => {
    const resp = await page.goto(`${server.base}/card`);
    assert.equal(resp.status(), 200);
    await page.getByRole('heading', { name: '审核中' }).waitFor();
    assert.match(await page.locator('main').innerText(), /姓名：张三/);
    await shot(page, 'card-pending');
  });

  step('staff sign in and approve it in the console', async () => {
    const p = await desk.newPage();
    await signIn(p, server.base, 'admin', ADMIN_PW);
    await p.goto(`${server.base}/console/applications`);
    const row = p.locator('tbody tr', { hasText: '张三' });
    assert.equal(await row.count(), 1);
    assert.match(await row.innerText(), /快递员/);
    assert.doesNotMatch(await row.innerText(), new RegExp(GOOD_ID), 'the ID number is masked');
    await shot(p, 'console-pending');
    await Promise.all([
      p.waitForURL(/\/console\/applications\?done=1&failed=0$/),
      row.getByRole('button', { name: '通过', exact: true }).click(),
    ]);
    await p.getByText('已处理 1 条').waitFor();
    assert.equal(await p.locator('tbody tr', { hasText: '张三' }).count(), 0);
    await shot(p, 'console-approved');
    await p.close();
  });

  step('the phone now shows the electronic member card with a QR code', async () => {
    const resp = await page.reload();
    assert.equal(resp.status(), 200);
    await page.getByRole('heading', { name: '电子会员卡' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: '张三' }).count(), 1);
    const no = await page.locator('main strong').first().innerText();
    assert.match(no, /^\d{12}$/, 'member number');
    assert.equal(server.query(`SELECT count(*) FROM members WHERE member_no = '${no}'`), '1');
    const svg = page.locator('main .qr > svg');
    assert.equal(await svg.count(), 1, 'an inline <svg> QR code');
    const box = await svg.boundingBox();
    assert.ok(box && box.width >= 100 && box.width <= 375 && box.height >= 100,
              `QR code box ${JSON.stringify(box)}`);
    await shot(page, 'card-member');
  });

  step('staff upload a GBK roster and download the refused rows', async () => {
    const p = await desk.newPage();
    const resp = await p.goto(`${server.base}/console/import?org=110118001`);
    assert.equal(resp.status(), 200);
    await p.getByRole('heading', { name: '导入会员名册' }).waitFor();
    await p.locator('select[name="org"]').selectOption('110118001');
    await p.locator('input[name="file"]').setInputFiles(
      path.join(HERE, '..', 'data', 'roster-sample-gbk.csv'));
    const [post] = await Promise.all([
      p.waitForResponse((r) => r.request().method() === 'POST'
                               && new URL(r.url()).pathname === '/console/import'),
      p.getByRole('button', { name: '导入', exact: true }).click(),
    ]);
    assert.equal(post.status(), 200);
    await p.getByRole('heading', { name: '导入结果' }).waitFor();
    const figures = {};
    for (const id of ['rows', 'imported', 'already', 'refused'])
      figures[id] = Number(await p.locator('#' + id).innerText());
    assert.deepEqual(figures, { rows: 60, imported: 45, already: 0, refused: 15 });
    assert.match(await p.locator('main').innerText(), /GBK编码/);
    assert.equal(await p.locator('#refusals tbody tr').count(), 15);
    assert.match(await p.locator('#refusals').innerText(), /身份证号被Excel转成了数字/);
    await shot(p, 'console-import');
    const [download] = await Promise.all([
      p.waitForEvent('download'),
      p.getByRole('link', { name: '下载未导入行的报告（CSV）' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), '未导入的行.csv');
    const csv = fs.readFileSync(await download.path());
    assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM for Excel');
    const lines = csv.toString('utf8').slice(1).trim().split('\r\n');
    assert.equal(lines[0], '行号,原因代码,说明,姓名');
    assert.equal(lines.length, 16);
    assert.equal(server.query("SELECT count(*) FROM members m JOIN orgs o ON o.id = m.org_id " +
                              "WHERE o.code = '110118001' AND m.channel = 'import'"), '45');
    await p.close();
  });

  step('the join page is at most 30 KB and nothing left 127.0.0.1', () => {
    console.log(`join page transfer (HTML + CSS, headers included): ${joinBytes} bytes`);
    assert.ok(joinBytes > 0 && joinBytes <= 30 * 1024, `${joinBytes} bytes`);
    assert.ok(requests.length > 0);
    const away = requests.filter((u) => {
      if (/^(data|blob|about):/.test(u)) return false;
      const h = new URL(u);
      return h.hostname !== '127.0.0.1' || h.port !== String(server.port);
    });
    assert.deepEqual(away, [], 'requests that left the server under test');
    console.log(`${requests.length} requests, all to ${server.base}`);
  });

  step('the server exits cleanly on SIGTERM', async () => {
    await browser.close();
    browser = null;
    const code = await server.stop();
    const log = server.log();
    for (const bad of ['AddressSanitizer', 'LeakSanitizer', 'runtime error:'])
      assert.ok(!log.includes(bad), `serve reported ${bad}:\n${log.slice(-3000)}`);
    assert.equal(code, 0, `serve exited with ${code}:\n${log.slice(-2000)}`);
  });
});
