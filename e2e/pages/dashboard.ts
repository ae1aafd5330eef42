// The supervisor dashboard (src/renderer/src/features/dashboard): its window, its charts and the table
// behind each chart.
import type { Locator, Page } from '@playwright/test';

export type ChartId = 'backlog' | 'intake' | 'outcomes' | 'quality' | 'throughput' | 'handling';

export class DashboardPage {
  readonly root: Locator;
  readonly exportCsv: Locator;
  readonly range: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('dashboard');
    this.exportCsv = page.getByRole('button', { name: 'Export CSV' });
    this.range = page.getByTestId('dashboard-range');
  }
  /** The Supervisor view's Dashboard tab. */
  get tab() {
    return this.page.getByRole('tablist', { name: 'Supervisor' }).getByRole('tab', { name: 'Dashboard' });
  }
  window(label: '24 hours' | '7 days' | '30 days') {
    return this.page.getByRole('radiogroup', { name: 'Window' }).getByRole('radio', { name: label });
  }
  chart(id: ChartId) {
    return this.page.getByTestId(`chart-${id}`);
  }
  /** The chart's image (role img, its spoken summary as the name). */
  image(id: ChartId) {
    return this.chart(id).getByRole('img');
  }
  /** What the chart's canvas shows now, as a PNG data URL (to see it redrawn, e.g. in the other theme's colours). */
  async pixels(id: ChartId): Promise<string> {
    return this.image(id).evaluate((c) => (c instanceof HTMLCanvasElement ? c.toDataURL() : ''));
  }
  toggle(id: ChartId) {
    return this.chart(id).getByRole('button', { name: /^(Show|Hide) table$/ });
  }
  table(id: ChartId) {
    return this.page.getByTestId(`table-${id}`).getByRole('table');
  }
  /** The table's body as text cells, row header first. */
  async cells(id: ChartId): Promise<string[][]> {
    return this.table(id)
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim())));
  }
}
