/** The kiosk's three languages, in the order the language switch shows them. */
export const KIOSK_LANGUAGES = ['zh-Hant', 'en', 'zh-Hans'] as const;
export type KioskLanguage = (typeof KIOSK_LANGUAGES)[number];

/** One text in every kiosk language. */
export type Tri = Readonly<Record<KioskLanguage, string>>;

/** A button the visitor can press; `id` is what reaches the profile, nothing else does. */
export interface KioskAction {
  readonly id: string;
  readonly label: Tri;
  /** The main way forward: drawn larger and first in the tab order. */
  readonly primary?: boolean;
}

/**
 * What a kiosk profile shows: a pure function of its statechart's state. Screens never
 * carry images, templates or document numbers, only words and buttons.
 */
export interface KioskScreen {
  /** The statechart's state name, for tests and the technician. */
  readonly id: string;
  readonly tone: 'neutral' | 'go' | 'wait' | 'stop';
  readonly title: Tri;
  readonly lines: readonly Tri[];
  readonly actions: readonly KioskAction[];
  /** True while the visitor is expected to tap: the inactivity timeout runs only then. */
  readonly awaitsVisitor: boolean;
  /** A code the visitor scans with their phone (the photo kiosk's FPS payment code): an SVG drawn under the lines. Merchant data only. */
  readonly qr?: { readonly svg: string };
}

/** The kiosk profile as the page sees it: current screen, its changes, the visitor's taps. */
export interface KioskSource {
  screen(): KioskScreen;
  on(event: 'screen', fn: (s: KioskScreen) => void): () => void;
  /** A tap on one of the current screen's actions. */
  act(action: string): void;
  /** Back to the start, forgetting everything of the visitor (inactivity, or a new visitor). */
  reset(): void;
}
