import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/index.js";
import { TempRepo } from "../support/git-repo.js";
import { CHROMIUM, suiteNeeds } from "../support/prerequisites.js";

const BROWSER_SUITE = "aigate register --format html, read in a real browser";
const chromiumBrowser = suiteNeeds(import.meta.url, CHROMIUM, BROWSER_SUITE);
const HOSTILE = `<script>alert("x")</script><img src=x onerror="alert('img')">`;

let browser: Browser;
let repo: TempRepo;
let htmlFile: string;

beforeAll(async () => {
  if (chromiumBrowser.skip) return;
  browser = await chromium.launch({
    executablePath: chromiumBrowser.executable,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  // The demo, with an expired assessment and a hostile owner name.
  repo = TempRepo.fromDemo();
  repo.edit(
    "governance/assessments/support-assistant.yml",
    'review_by: "2027-08-01"',
    'review_by: "2026-11-01"',
  );
  repo.edit(".github/ai-governance.yml", '"@acme/support-tools"', JSON.stringify(HOSTILE));
  repo.commitAll("expired, hostile");
  let stderr = "";
  const code = await main(
    ["node", "aigate", "register", "--format", "html", "--out", "register.html"],
    {
      cwd: repo.dir,
      env: { AIGATE_NOW: "2026-11-27T12:00:00Z" },
      stdout: () => {},
      stderr: (text) => {
        stderr += text;
      },
    },
  );
  expect(code, stderr).toBe(1);
  htmlFile = join(repo.dir, "register.html");
});

afterAll(async () => {
  await browser?.close();
  if (repo) rmSync(repo.dir, { recursive: true, force: true });
});

async function open(): Promise<{ page: Page; dialogs: string[]; requests: string[] }> {
  const page = await browser.newPage();
  const dialogs: string[] = [];
  const requests: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("request", (request) => requests.push(request.url()));
  await page.goto(`file://${htmlFile}`);
  return { page, dialogs, requests };
}

const column = (page: Page, table: string, index: number) =>
  page
    .locator(`table#${table} tbody tr td:nth-child(${index})`)
    .evaluateAll((tds) => tds.map((td) => (td.textContent ?? "").trim()));

describe.skipIf(chromiumBrowser.skip)(BROWSER_SUITE, () => {
  it("shows every system with its assessment status, the risk register and the problems", async () => {
    const { page } = await open();
    expect(await column(page, "systems", 2)).toEqual([
      "churn-forecast",
      "credit-scoring",
      "support-assistant",
    ]);
    expect(await column(page, "systems", 9)).toEqual(["not required", "current", "expired"]);
    expect(await column(page, "risks", 7)).toEqual(["12", "6", "6"]);
    expect(await page.locator("#problem-repositories").textContent()).toContain(
      "Every repository read is governed by a valid manifest.",
    );
    expect(await page.locator("header").textContent()).toContain(
      "1 assessment(s) expired, expiring, missing or invalid",
    );
    await page.close();
  });

  it("draws systems by tier and by assessment status", async () => {
    const { page } = await open();
    const bars = (id: string) =>
      page
        .locator(`#${id} g`)
        .evaluateAll((gs) =>
          gs.map((g) => [g.getAttribute("data-label"), g.getAttribute("data-count")]),
        );
    expect(await bars("chart-tier")).toEqual([
      ["minimal", "1"],
      ["limited", "1"],
      ["high", "1"],
      ["prohibited", "0"],
    ]);
    expect(await bars("chart-status")).toEqual([
      ["current", "1"],
      ["expiring", "0"],
      ["expired", "1"],
      ["missing", "0"],
      ["invalid", "0"],
      ["not_required", "1"],
    ]);
    const widths = await page
      .locator("#chart-status rect")
      .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute("width"))));
    expect(widths[0]).toBeGreaterThan(0);
    expect(widths[1]).toBe(0);
    await page.close();
  });

  it("sorts a table by a column when its heading is clicked, numbers as numbers", async () => {
    const { page } = await open();
    await page.locator("table#risks th", { hasText: "Score" }).click();
    expect(await column(page, "risks", 7)).toEqual(["6", "6", "12"]);
    await page.locator("table#risks th", { hasText: "Score" }).click();
    expect(await column(page, "risks", 7)).toEqual(["12", "6", "6"]);
    await page.locator("table#systems th", { hasText: "Days left" }).click();
    expect(await column(page, "systems", 11)).toEqual(["-26", "292", "—"]);
    expect(
      await page.locator("table#systems th", { hasText: "Days left" }).getAttribute("aria-sort"),
    ).toBe("ascending");
    await page.close();
  });

  it("holds the draft Statement of Applicability: 38 controls under its disclaimer", async () => {
    const { page } = await open();
    expect(await page.locator("table#soa-table tbody tr").count()).toBe(38);
    expect(await page.locator("#soa .draft").textContent()).toContain(
      "only an accredited certification body certifies",
    );
    await page.close();
  });

  it("renders hostile text as text: no element, no dialog, no request, only its own script", async () => {
    const { page, dialogs, requests } = await open();
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.locator("script").count()).toBe(1);
    expect(await column(page, "systems", 5)).toContain(HOSTILE);
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(requests.filter((url) => !url.startsWith("file://"))).toEqual([]);
    expect(readFileSync(htmlFile, "utf8")).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'/);
    await page.close();
  });

  it("prints and renders to a screenshot a compliance reader can read", async () => {
    const { page } = await open();
    await page.setViewportSize({ width: 1280, height: 900 });
    const shot = join(process.env.AIGATE_SCREENSHOT_DIR ?? repo.dir, "ai-register.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(readFileSync(shot).subarray(1, 4).toString("latin1")).toBe("PNG");
    const pdf = await page.pdf({ format: "A4", landscape: true });
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    await page.close();
  });
});
