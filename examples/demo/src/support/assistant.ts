export function buildPrompt(question: string, articles: string[]): string {
  return [articles.join("\n---\n"), `Customer question: ${question}`].join("\n\n");
}
