/**
 * The bench's HTML report in Debian's Chromium (playwright-core) at a 1,280 px viewport, rendered
 * from committed results (a full run and a quick run; the bench itself is not run here): the page
 * must not scroll sideways, no card's content may stick out of its card, every legend entry is
 * inside its card, a label cut short carries its full text as a tooltip, and a log axis says so.
 * Needs /usr/bin/chromium (scripts/install-chromium.sh).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHtml } from '../../packages/bench/src/report/html.js';
import type { BenchResults } from '../../packages/bench/src/results.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VIEWPORT = { width: 1280, height: 900 };
const fixture = (name: string): BenchResults =>
  JSON.parse(
    readFileSync(fileURLToPath(new URL(`../../packages/bench/test/fixtures/${name}`, import.meta.url)), 'utf8'),
  ) as BenchResults;

interface Layout {
  scrollWidth: number;
  viewport: number;
  cards: number;
  charts: number;
  /** Cards whose content is wider than they are, or has an element sticking out. */
  overflowing: string[];
  /** Elements cut short (ellipsis) with no tooltip on them or an ancestor. */
  cutWithoutTitle: string[];
  legendItems: number;
  /** Charts drawn on a log axis, and those of them without a visible note. */
  logCharts: number;
  logWithoutNote: number;
  /** Distinct unit captions per chart (always 1). */
  unitsPerChart: number[];
}

function measure(page: Page): Promise<Layout> {
  return page.evaluate(() => {
    const label = (el: Element): string =>
      `${el.className || el.tagName}: ${(el.textContent ?? '').trim().slice(0, 60)}`;
    const overflowing: string[] = [];
    const cutWithoutTitle: string[] = [];
    const cards = Array.from(document.querySelectorAll('.card'));
    for (const card of cards) {
      const box = card.getBoundingClientRect();
      if (card.scrollWidth > card.clientWidth + 1) overflowing.push(`${label(card)} (scrollWidth ${card.scrollWidth})`);
      for (const el of Array.from(card.querySelectorAll('*'))) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if (r.left < box.left - 1 || r.right > box.right + 1)
          overflowing.push(`${label(el)} sticks out of ${label(card)}`);
        const style = getComputedStyle(el);
        if (style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1 && !el.closest('[title]'))
          cutWithoutTitle.push(label(el));
      }
    }
    const charts = Array.from(document.querySelectorAll('.chart'));
    const logs = charts.filter((c) => c.getAttribute('data-scale') === 'log');
    const visible = (el: Element | null): boolean => !!el && el.getBoundingClientRect().width > 0;
    return {
      scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
      viewport: window.innerWidth,
      cards: cards.length,
      charts: charts.length,
      overflowing,
      cutWithoutTitle,
      legendItems: document.querySelectorAll('.legend li').length,
      logCharts: logs.length,
      logWithoutNote: logs.filter((c) => !visible(c.querySelector('.scale-note'))).length,
      unitsPerChart: charts.map((c) => c.querySelectorAll('.unit').length),
    };
  });
}

describe('bench HTML report in Chromium at 1,280 px', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: VIEWPORT });
  });

  afterAll(async () => {
    await browser?.close();
  });

  for (const name of ['full-run.json', 'quick-run.json']) {
    it(`${name}: no horizontal overflow, no card overflow, legends inside, log axes noted`, async () => {
      await page.setContent(formatHtml(fixture(name)), { waitUntil: 'load' });
      const layout = await measure(page);
      expect(layout.viewport).toBe(VIEWPORT.width);
      expect(layout.scrollWidth, 'the page scrolls sideways').toBeLessThanOrEqual(VIEWPORT.width);
      expect(layout.charts).toBeGreaterThan(3);
      expect(layout.cards).toBeGreaterThan(layout.charts);
      expect(layout.overflowing).toEqual([]);
      expect(layout.cutWithoutTitle).toEqual([]);
      expect(layout.legendItems).toBeGreaterThan(layout.charts);
      expect(layout.logWithoutNote).toBe(0);
      expect(layout.unitsPerChart.every((n) => n === 1)).toBe(true);
    });
  }

  it('fails on a page that overflows (the check itself can fail)', async () => {
    const wide = formatHtml(fixture('full-run.json')).replace(
      '<h1>Brine benchmarks</h1>',
      '<h1>Brine benchmarks</h1><div class="card"><div style="width:3000px">wide</div></div>',
    );
    await page.setContent(wide, { waitUntil: 'load' });
    const layout = await measure(page);
    expect(layout.scrollWidth).toBeGreaterThan(VIEWPORT.width);
    expect(layout.overflowing.length).toBeGreaterThan(0);
  });
});
