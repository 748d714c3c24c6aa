/**
 * Shared types of the face engine. The rest of the gate sees only these and the
 * `FaceEngine` interface; pixels, networks and worker threads stay behind it.
 */

/** One camera frame as the camera driver delivers it: RGB24, row-major, no padding between rows. */
export interface RawFrame {
  width: number;
  height: number;
  channels: 3;
  data: Uint8Array;
}

/** Encoded image file bytes (JPEG, PNG, WebP, GIF, TIFF, …) or a raw camera frame. */
export type ImageInput = Uint8Array | RawFrame;

export type QualityIssue =
  | 'no_face'
  | 'several_faces'
  | 'too_small'
  | 'pose'
  | 'blur'
  | 'too_dark'
  | 'too_bright'
  | 'eyes_closed'
  | 'low_score';

/**
 * Quality of the chosen (dominant) face. Angles in degrees (landmark-based estimates),
 * box and inter-eye distance in pixels of the input image after EXIF orientation.
 */
export interface FaceQuality {
  /** x1, y1, x2, y2 */
  box: [number, number, number, number];
  detectionScore: number;
  interEyePx: number;
  yaw: number;
  pitch: number;
  roll: number;
  /** Variance of the Laplacian of the aligned 112×112 grey face (higher = sharper). */
  sharpness: number;
  /** Mean grey level 0..255 of the aligned face. */
  exposure: number;
  /** Faces detected in the whole image, the chosen one included. */
  faceCount: number;
}

export interface ReferenceExtraction {
  /** 512 values, L2-normalised. */
  template: Float32Array;
  quality: FaceQuality;
  /** No quality issue other than `several_faces` (an ID photo may show a ghost image). */
  acceptable: boolean;
  issues: QualityIssue[];
}

export interface FaceReference {
  template: Float32Array;
  source: 'enrolment' | 'card' | 'chip';
}

export interface VerifyResult {
  /**
   * `no_face`: nothing usable detected. `poor_quality`: a face, but a quality issue other
   * than `several_faces`. `spoof`: liveness below the configured threshold. Otherwise
   * `match` when score ≥ threshold, else `no_match`. Score and liveness are still filled
   * in for `poor_quality` and `spoof` so the journal can keep them.
   */
  decision: 'match' | 'no_match' | 'no_face' | 'poor_quality' | 'spoof';
  score: number | null;
  threshold: number;
  liveness: number | null;
  quality: FaceQuality | null;
  issues: QualityIssue[];
  /** Other clear faces in view (the crossing treats any as a possible tailgater). */
  otherFaces: number;
  /**
   * Template of the live face (null without one), for pooling the frames of one presentation
   * (see fusion.ts). Biometric data: never journalled, logged or sent anywhere.
   */
  template?: Float32Array | null;
  /** Milliseconds per stage (decode, detect, landmarks, align, embed, liveness, quality) plus `total`. */
  timings: Record<string, number>;
}

/**
 * The dominant face of a raw frame as the portrait-compliance check needs it (kiosk/portrait):
 * the 68 landmarks (iBUG order) in the frame's pixels, its box and the other clear faces.
 * The template is biometric data: never journalled, logged or sent anywhere.
 */
export type FaceLocation =
  | { found: false; faceCount: number }
  | {
      found: true;
      box: [number, number, number, number];
      detectionScore: number;
      landmarks: [number, number][];
      /** Clear faces at least a third of this face's size (a second person, not a far bystander). */
      otherFaces: number;
      quality: FaceQuality;
      template: Float32Array;
    };

export interface FaceEngine {
  /**
   * Template and quality of the dominant face of an enrolment or chip photo. Rejects with
   * FaceInputError on undecodable input and with code NO_FACE when no face is found.
   */
  extractReference(image: ImageInput): Promise<ReferenceExtraction>;
  /**
   * Compares the dominant face of a live frame with a reference at the named operating point
   * (default: the configured one; chip references use face.chipOperatingPoints when set).
   * Rejects only on undecodable input (FaceInputError) or an unknown operating point.
   */
  verify(reference: FaceReference, frame: ImageInput, options?: { operatingPoint?: string }): Promise<VerifyResult>;
  /**
   * Landmarks, box, quality and template of the dominant face of a raw RGB frame (no liveness).
   * Rejects only on an invalid frame (FaceInputError).
   */
  locateFace(frame: RawFrame): Promise<FaceLocation>;
  /** Cosine similarity of two templates (both L2-normalised: a dot product). */
  compare(a: Float32Array, b: Float32Array): number;
  /** Stops the worker threads; pending calls reject with code ENGINE_CLOSED. */
  close(): Promise<void>;
}
