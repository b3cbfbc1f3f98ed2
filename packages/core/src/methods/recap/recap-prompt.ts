/**
 * ReCap's prompt (Paischer et al. 2024): the retrieved captions of the most similar datastore
 * entries, inside a template ("Similar images show {captions}. This image shows"). Captions
 * are trimmed and their ending period dropped so the separator is not doubled.
 */
import type { RecapConfig } from './recap-config.js';

export function buildRecapPrompt(captions: readonly string[], prompt: Pick<RecapConfig['prompt'], 'template' | 'separator'>): string {
  const cleaned = captions.map((c) => c.replace(/\s+/g, ' ').trim().replace(/[.\s]+$/, '')).filter((c) => c.length > 0);
  return prompt.template.replace('{captions}', cleaned.join(prompt.separator));
}
