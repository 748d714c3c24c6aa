/**
 * What the traveller's display shows, in Traditional Chinese and English. The screen is a
 * pure function of the crossing state and the latest guidance, published as a stream
 * (kiosk/display/stream.ts) that the display page follows.
 */
export type Tone = 'neutral' | 'go' | 'wait' | 'stop' | 'alarm';

export interface Screen {
  screen: string;
  tone: Tone;
  pictogram: 'card' | 'walk-in' | 'face' | 'walk-out' | 'stop' | 'counter' | 'step-back' | 'closed' | 'emergency' | 'wait' | 'car' | 'passport' | 'reader' | 'passport-down';
  en: string;
  zh: string;
  /** Secondary line (guidance or reason), bilingual. */
  hint?: { en: string; zh: string };
}

export const MESSAGES = {
  idle: { en: 'Present your identity card or QR code', zh: '請出示身份證或二維碼' },
  /** Where the reader is: on the pedestal below the screen in every e-Channel we drive. */
  reader_below: { en: 'Reader below the screen', zh: '讀取器在螢幕下方' },
  checking: { en: 'Checking…', zh: '正在核實…' },
  token_refused: { en: 'Sorry, we cannot accept this', zh: '對不起，未能接受' },
  enter: { en: 'Please enter', zh: '請進入' },
  look: { en: 'Look at the camera', zh: '請望向鏡頭' },
  proceed: { en: 'Please proceed', zh: '請繼續前行' },
  leave: { en: 'Please leave the gate', zh: '請離開閘口' },
  counter: { en: 'Please go to the counter', zh: '請前往櫃檯辦理' },
  step_back: { en: 'One person at a time — please step back', zh: '每次只限一人 — 請後退' },
  closed: { en: 'This e-Channel is closed', zh: '此e-道暫停使用' },
  maintenance: { en: 'Under maintenance', zh: '維修中' },
  emergency: { en: 'Emergency — leave the gate', zh: '緊急情況 — 請離開閘口' },
  awaiting_reset: { en: 'This e-Channel is closed', zh: '此e-道暫停使用' },
  wait: { en: 'Please wait', zh: '請稍候' },
} as const;

/** Guidance for quality problems seen on the last frames (gate-flow.md step 5). */
export const GUIDANCE: Record<string, { en: string; zh: string }> = {
  no_face: { en: 'Look at the camera', zh: '請望向鏡頭' },
  several_faces: { en: 'Only one person in view, please', zh: '鏡頭前只限一人' },
  too_small: { en: 'Step closer', zh: '請走近一點' },
  pose: { en: 'Face the camera straight on', zh: '請正面望向鏡頭' },
  blur: { en: 'Hold still', zh: '請保持不動' },
  too_dark: { en: 'Step into the light', zh: '請站到光線充足處' },
  too_bright: { en: 'Step out of the glare', zh: '請避開強光' },
  eyes_closed: { en: 'Open your eyes', zh: '請張開眼睛' },
  low_score: { en: 'Remove your sunglasses or mask', zh: '請除下太陽眼鏡或口罩' },
};

/** Reasons a traveller can understand, for a refused token (tokens.md codes). */
export const TOKEN_REASONS: Record<string, { en: string; zh: string }> = {
  MALFORMED: { en: 'The code could not be read', zh: '無法讀取此代碼' },
  UNSUPPORTED_VERSION: { en: 'Please update the app', zh: '請更新流動應用程式' },
  KEY_UNKNOWN: { en: 'Please update the app', zh: '請更新流動應用程式' },
  DECRYPT_FAILED: { en: 'The code could not be read', zh: '無法讀取此代碼' },
  ISSUER_UNTRUSTED: { en: 'This credential is not valid here', zh: '此證件於此不適用' },
  BAD_SIGNATURE: { en: 'This credential is not valid', zh: '此證件無效' },
  CREDENTIAL_EXPIRED: { en: 'Your credential has expired', zh: '你的證件已過期' },
  PRESENTATION_EXPIRED: { en: 'The code has expired — show a new one', zh: '代碼已過期 — 請重新產生' },
  REPLAY: { en: 'This code was already used — show a new one', zh: '此代碼已使用 — 請重新產生' },
  REVOKED: { en: 'Please go to the counter', zh: '請前往櫃檯辦理' },
  NOT_ELIGIBLE: { en: 'Not registered for this e-Channel', zh: '未登記使用此e-道' },
  NOT_ENROLLED: { en: 'Please go to the counter', zh: '請前往櫃檯辦理' },
  CARD_VIA_QR: { en: 'Please place your card on the reader', zh: '請將身份證放在讀卡器上' },
  TOKEN_TIMEOUT: { en: 'Please try again', zh: '請再試一次' },
  CHECK_FAILED: { en: 'Please try again', zh: '請再試一次' },
};

/** The vehicle lane's words, for a display read by a driver through the side window. */
export const VEHICLE_MESSAGES = {
  idle: { en: 'Drive up to the kiosk and stop', zh: '請駛近服務機並停車' },
  present: { en: 'Show your identity card or QR code at the window', zh: '請於車窗出示身份證或二維碼' },
  look: { en: 'Lower the window and look at the camera', zh: '請打開車窗並望向鏡頭' },
  drive_on: { en: 'Please drive on', zh: '請駛前' },
  drive_on_now: { en: 'Please drive on now — the barrier is open', zh: '閘杆已升起 — 請即駛前' },
  wait_barrier: { en: 'Wait — the barrier is closing', zh: '請等候 — 閘杆正在下降' },
  staffed_lane: { en: 'Please use the staffed lane', zh: '請使用人手檢查車道' },
  second_vehicle: { en: 'Stop — one vehicle at a time. An officer will attend', zh: '請停車 — 每次只限一輛車。職員即將到場' },
  no_token: { en: 'No credential shown — please use the staffed lane', zh: '未有出示證件 — 請使用人手檢查車道' },
  closed: { en: 'This vehicle e-Channel is closed', zh: '此車輛e-道暫停使用' },
  emergency: { en: 'Emergency — barrier open, drive on slowly', zh: '緊急情況 — 閘杆已升起，請慢駛離開' },
} as const;
