/*
 * Drives headless Chromium (the Debian package, through puppeteer-core: nothing is downloaded) over the
 * stand-in page that pkg/testbed/e2e/browser serves, and fails on anything a user would meet as a fault: a console
 * error or warning (bar the allow-list below), a page error, a failed or refused request, a request that
 * leaves 127.0.0.1, or an expected text that does not show. Run by `go tool mage browser`; see
 * docs/browser-test.md. With --screenshots <dir> it also writes the screenshots shipped in src/img/screenshots.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import puppeteer, { Browser, ConsoleMessage, HTTPRequest, HTTPResponse, Page } from 'puppeteer-core';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    chromium: { type: 'string' },
    cp: { type: 'string' },
    prometheus: { type: 'string' },
    /** A loopback URL nothing listens on. */
    closed: { type: 'string' },
    screenshots: { type: 'string' },
    /** Runs only the steps whose name starts with this (the broken-bundle checks run the config editor). */
    only: { type: 'string' },
  },
});
const base = required('url');
const cpURL = required('cp');
const prometheusURL = required('prometheus');
const closedURL = required('closed');

/** Bounds every wait, so a missing text fails in seconds, not at the Go test's budget. */
const WAIT_MS = 15_000;

/**
 * Console messages that @grafana/ui itself raises whatever the plugin does; each with why it is tolerated.
 * Anything else on the console fails the test.
 */
const ALLOWED_CONSOLE: Array<{ pattern: RegExp; reason: string }> = [];

function required(name: keyof typeof args): string {
  const v = args[name];
  if (!v) {
    throw new Error(`--${name} is required`);
  }
  return v;
}

const problems: string[] = [];
/** Request paths whose 4xx answers the current step expects (a failing Save & test). */
let expectedFailures: RegExp[] = [];

function watch(page: Page) {
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() !== 'error' && msg.type() !== 'warn') {
      return;
    }
    const text = msg.text();
    // Chromium logs every 4xx/5xx answer; the response handler below judges those, with their URLs.
    if (text.startsWith('Failed to load resource: the server responded with a status of')) {
      return;
    }
    if (!ALLOWED_CONSOLE.some((a) => a.pattern.test(text))) {
      problems.push(`console ${msg.type()}: ${text.slice(0, 2000)}`);
    }
  });
  page.on('pageerror', (err: unknown) =>
    problems.push(`page error: ${err instanceof Error ? err.stack : String(err)}`)
  );
  page.on('requestfailed', (req: HTTPRequest) => {
    // Grafana's own icon or font whose element unmounted before it loaded is cancelled by the page: not a fault.
    const asset = /^\/public\/(build|fonts)\//.test(new URL(req.url()).pathname);
    const cancelled = asset && req.failure()?.errorText === 'net::ERR_ABORTED';
    if (!cancelled) {
      problems.push(`request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`);
    }
  });
  page.on('response', (res: HTTPResponse) => {
    const url = new URL(res.url());
    if (res.status() >= 400 && !expectedFailures.some((p) => p.test(url.pathname))) {
      problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
    }
  });
  page.on('request', (req: HTTPRequest) => {
    const url = new URL(req.url());
    // Network traffic only to the host: anything else is a fault of the bundle or the page.
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.hostname !== '127.0.0.1') {
      problems.push(`request off the machine: ${req.url()}`);
      req.abort();
      return;
    }
    req.continue();
  });
}

async function open(page: Page, query: string) {
  await page.goto(`${base}/${query}`, { waitUntil: 'load', timeout: WAIT_MS });
  // The page marks a plugin that failed to load, so that the step fails at once with the cause.
  await page.waitForSelector('[data-testid="page-ready"], body[data-load-error]', { timeout: WAIT_MS }).catch(() => {});
  const err = await page.evaluate(() => document.body.getAttribute('data-load-error'));
  if (err || !(await page.$('[data-testid="page-ready"]'))) {
    throw new Error(`${query}: the editor did not render${err ? `: ${err}` : ''}`);
  }
}

async function bodyText(page: Page): Promise<string> {
  return page.evaluate(() => document.body.innerText);
}

async function expectText(page: Page, ...texts: string[]) {
  for (const text of texts) {
    await page
      .waitForFunction((t: string) => document.body.innerText.includes(t), { timeout: WAIT_MS }, text)
      .catch(async () => {
        throw new Error(`expected text ${JSON.stringify(text)} did not show; the page reads:\n${await bodyText(page)}`);
      });
  }
}

async function expectNoText(page: Page, ...texts: string[]) {
  const body = await bodyText(page);
  for (const text of texts) {
    if (body.includes(text)) {
      throw new Error(`unexpected text ${JSON.stringify(text)}; the page reads:\n${body}`);
    }
  }
}

/** The labels of the open menu of a @grafana/ui Select. */
async function menuOptions(page: Page): Promise<string[]> {
  return page.$$eval('[role="option"]', (els) => els.map((e) => (e as HTMLElement).innerText.trim()));
}

/** Opens the Select whose input has `id`, waits for an option starting with `label` and picks it. */
async function pick(page: Page, id: string, label: string, check?: (options: string[]) => void) {
  await page.click(`#${id}`);
  await page
    .waitForFunction(
      (l: string) =>
        Array.from(document.querySelectorAll('[role="option"]')).some((e) =>
          (e as HTMLElement).innerText.trim().startsWith(l)
        ),
      { timeout: WAIT_MS },
      label
    )
    .catch(async () => {
      throw new Error(`#${id}: no option ${JSON.stringify(label)} in ${JSON.stringify(await menuOptions(page))}`);
    });
  check?.(await menuOptions(page));
  await page.evaluate((l: string) => {
    const option = Array.from(document.querySelectorAll('[role="option"]')).find((e) =>
      (e as HTMLElement).innerText.trim().startsWith(l)
    ) as HTMLElement;
    option.click();
  }, label);
}

/** Replaces the value of an input, as a user selecting all and typing does. */
async function typeInto(page: Page, selector: string, value: string) {
  await page.click(selector, { clickCount: 3 });
  await page.keyboard.press('Backspace');
  await page.type(selector, value);
}

async function placeholder(page: Page, selector: string): Promise<string | null> {
  return page.$eval(selector, (e) => e.getAttribute('placeholder'));
}

async function screenshot(page: Page, name: string) {
  if (args.screenshots) {
    await page.screenshot({ path: path.join(args.screenshots, `${name}.png`), fullPage: true });
  }
}

function expectEqual<T>(what: string, got: T, want: T) {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}

/** Clicks Save & test and returns the result shown for that click (the page numbers the results). */
async function saveAndTest(page: Page) {
  const previous = await page.$eval(
    'body',
    () => document.querySelector('[data-testid="health"]')?.getAttribute('data-run') ?? '0'
  );
  const [button] = await page.$$('xpath/.//button[normalize-space(.)="Save & test"]');
  await button.click();
  const selector = `[data-testid="health"][data-run="${Number(previous) + 1}"]`;
  await page.waitForSelector(selector, { timeout: WAIT_MS });
  return page.$eval(selector, (e) => (e as HTMLElement).innerText.trim());
}

async function configEditor(page: Page) {
  await open(page, '?editor=config');
  await expectText(
    page,
    'Kuma control plane',
    'Connection',
    'Authentication',
    'TLS settings',
    'Prometheus',
    'HTTP headers'
  );
  // Defaults show as placeholders in the number fields.
  expectEqual('CP timeout placeholder', await placeholder(page, '#kuma-timeout'), '30');
  expectEqual('Prometheus timeout placeholder', await placeholder(page, '#kuma-prometheusTimeout'), '30');
  expectEqual('scrape interval placeholder', await placeholder(page, '#kuma-prometheusScrapeInterval'), '15');
  expectEqual('max series placeholder', await placeholder(page, '#kuma-prometheusMaxSeries'), '200000');
  expectEqual('max answer placeholder', await placeholder(page, '#kuma-prometheusMaxResponseMB'), '128');

  // TLS switches on and off again: React warns if a switch goes from uncontrolled to controlled.
  for (const label of [
    'TLS Client Authentication',
    'Skip TLS certificate validation',
    'TLS Client Authentication',
    'Skip TLS certificate validation',
  ]) {
    const [checkbox] = await page.$$(`xpath/.//label[normalize-space(.)="${label}"]`);
    await checkbox.click();
  }
  await typeInto(page, '#connection-url', cpURL);
  // Prometheus on a port nothing listens on: the check fails on that side only, and says so first.
  await typeInto(page, '#kuma-prom-url', closedURL);
  expectedFailures = [/\/health$/];
  const failed = await saveAndTest(page);
  expectedFailures = [];
  if (!failed.startsWith(`Prometheus (${closedURL}): connection refused`) || !/control plane 2\./i.test(failed)) {
    throw new Error(
      `failed Save & test: want the Prometheus failure first and the CP's success after it, got:\n${failed}`
    );
  }
  if (/dial tcp|connect: /.test(failed)) {
    throw new Error(`failed Save & test shows a raw Go error chain:\n${failed}`);
  }
  await screenshot(page, 'config-editor-failed-test');

  await typeInto(page, '#kuma-prom-url', prometheusURL);
  // A Prometheus header (a tenant, as for Mimir): stored as prometheusHeaderName1 and a secret value.
  // A new data source: both header sections are closed; the second one is Prometheus'.
  const expand = await page.$$('button[aria-label="Expand section HTTP headers"]');
  expectEqual('closed HTTP headers sections', expand.length, 2);
  await expand[1].click();
  const add = await page.$$('xpath/.//button[normalize-space(.)="Add header"]');
  expectEqual('open HTTP headers sections', add.length, 1);
  await add[0].click();
  await page.type('input[placeholder="X-Custom-Header"]', 'X-Scope-OrgID');
  await page.type('input[placeholder="Header value"]', 'tenant-a');
  await page.click('#kuma-prom-url'); // plugin-ui saves headers when the row loses focus
  await typeInto(page, '#kuma-prometheusScrapeInterval', '15');
  const ok = await saveAndTest(page);
  console.log(`     Save & test, Prometheus down: ${failed}\n     Save & test: ${ok}`);
  if (!/Kuma control plane 2\.\S+ \(global mode\)/.test(ok) || !/Prometheus \S+/.test(ok)) {
    throw new Error(`Save & test: want the CP and Prometheus versions, got:\n${ok}`);
  }
  // After the save the header's value is a stored secret: shown as configured, not as text.
  const configured = await page.$$eval('input[placeholder="Header value"], input[value="configured"]', (els) =>
    els.map((e) => (e as HTMLInputElement).disabled)
  );
  expectEqual('stored header value is shown as configured', configured, [true]);
  await screenshot(page, 'config-editor');
}

interface QueryCase {
  queryType: string;
  /** What to pick in which Select before the query runs. */
  picks: Array<[id: string, label: string]>;
  /** Texts the answer must show. */
  expect: string[];
}

const QUERY_CASES: QueryCase[] = [
  { queryType: 'meshes', picks: [], expect: ['Frame', 'default'] },
  { queryType: 'zones', picks: [], expect: ['zone-1', 'zone-2'] },
  {
    queryType: 'services',
    picks: [
      ['kuma-mesh', 'default'],
      ['kuma-zones', 'zone-1'],
    ],
    expect: ['frontend', 'backend'],
  },
  {
    queryType: 'dataplanes',
    picks: [
      ['kuma-mesh', 'default'],
      ['kuma-service', 'backend'],
    ],
    expect: ['backend', 'zone-2'],
  },
  {
    queryType: 'workloads',
    picks: [
      ['kuma-mesh', 'default'],
      ['kuma-service', 'backend'],
    ],
    expect: ['Workload', 'backend'],
  },
  { queryType: 'gateways', picks: [['kuma-mesh', 'default']], expect: ['edge-gateway'] },
  { queryType: 'mesh-insights', picks: [['kuma-mesh', 'default']], expect: ['default'] },
  {
    queryType: 'mesh-graph',
    picks: [['kuma-mesh', 'default']],
    expect: ['Frame nodes', 'Frame edges', 'frontend', 'backend'],
  },
];

async function queryEditor(page: Page, c: QueryCase) {
  await open(page, `?editor=query&queryType=${c.queryType}`);
  // Nothing is red before the user did anything.
  await expectNoText(page, 'A mesh is required', 'is required');
  for (const [id, label] of c.picks) {
    await pick(page, id, label, (options) => {
      if (id === 'kuma-mesh' && options.some((o) => o.startsWith('$service'))) {
        throw new Error(`the mesh menu offers $service: ${JSON.stringify(options)}`);
      }
    });
  }
  await expectText(page, ...c.expect);
  await expectNoText(page, 'Query error');
  if (c.queryType === 'mesh-graph') {
    await screenshot(page, 'service-map-query');
  }
}

async function variableEditor(page: Page) {
  await open(page, '?editor=variable');
  await expectText(page, 'default');
  await pick(page, 'kuma-var-query-type', 'Services');
  await pick(page, 'kuma-var-mesh', 'default');
  await expectText(page, 'frontend', 'backend');
  await pick(page, 'kuma-var-query-type', 'Dataplanes');
  await pick(page, 'kuma-var-service', 'backend');
  await expectText(page, 'backend');
  await expectNoText(page, 'Query error');
}

async function main() {
  let browser: Browser | undefined;
  const steps: Array<[string, (page: Page) => Promise<void>]> = [
    ['config editor', configEditor],
    ...QUERY_CASES.map((c): [string, (page: Page) => Promise<void>] => [
      `query editor: ${c.queryType}`,
      (p) => queryEditor(p, c),
    ]),
    ['variable editor', variableEditor],
  ];
  let failed = false;
  try {
    browser = await puppeteer.launch({
      executablePath: required('chromium'),
      headless: true,
      // Root in CI containers needs --no-sandbox; the rest keeps Chromium off the network and the GPU.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-domain-reliability',
        '--no-first-run',
        '--lang=en-US',
        '--font-render-hinting=none',
      ],
      defaultViewport: { width: 1280, height: 900 },
      timeout: WAIT_MS * 2,
    });
    const page = await browser.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.setRequestInterception(true);
    watch(page);
    for (const [name, step] of steps.filter(([n]) => !args.only || n.startsWith(args.only))) {
      const before = problems.length;
      const started = Date.now();
      try {
        await step(page);
      } catch (err) {
        problems.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
      const ok = problems.length === before;
      failed ||= !ok;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (${Date.now() - started} ms)`);
      for (const p of problems.slice(before)) {
        console.log(`     ${p.replace(/\n/g, '\n     ')}`);
      }
    }
  } finally {
    await browser?.close();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
