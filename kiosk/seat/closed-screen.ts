import type { KioskScreen } from '../display/kiosk-types.ts';

/** What a kiosk out of service or in maintenance shows: closed, where to go instead, no buttons. */
export function closedScreen(mode: string): KioskScreen {
  return {
    id: mode === 'maintenance' ? 'maintenance' : 'closed',
    tone: 'stop',
    title: { 'zh-Hant': '暫停服務', en: 'This kiosk is closed', 'zh-Hans': '暂停服务' },
    lines: [{ 'zh-Hant': '請使用其他自助服務機或前往櫃位。', en: 'Please use another kiosk or go to a counter.', 'zh-Hans': '请使用其他自助服务机或前往柜位。' }],
    actions: [],
    awaitsVisitor: false,
  };
}
