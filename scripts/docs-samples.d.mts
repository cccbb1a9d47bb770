// Types of scripts/docs-samples.mjs, for its unit test.
export declare const EXAMPLES_DIR: string;
export interface MarkdownBlock {
  lang: string;
  indent: string;
  start: number;
  end: number;
  body: string[];
  marker: { ref: string; line: number } | undefined;
}
export declare function findBlocks(markdown: string): MarkdownBlock[];
export declare function extractRegion(source: string, name: string | undefined): { text: string; error?: undefined } | { error: string; text?: undefined };
export declare function syncMarkdown(
  markdown: string,
  options: { file: string; load: (path: string) => string | undefined; write?: boolean },
): { problems: string[]; text: string };
export declare function markdownFiles(root: string): string[];
export declare function syncRepository(root: string, options?: { write?: boolean; files?: string[] }): string[];
