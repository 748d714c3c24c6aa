import { pedestrianRoles, vehicleRoles } from '../../config/sections/door.ts';
import type { DoorPlant, PlantFault } from './plant.ts';
import type { SimPerson } from './plant-people.ts';
import type { SimCar } from './plant-traffic.ts';

/**
 * A one-line text form of the plant's scripting API, for the sim-controller's stdin and for
 * step lists in demos: `traveller t1`, `walk t1`, `fire on`, `fault silent`, `status`.
 * Never throws: a bad line is answered `{ ok: false, error }`.
 */
export type PlantCommandResult = { ok: true; [k: string]: unknown } | { ok: false; error: string };

const FAULTS: readonly PlantFault[] = ['none', 'silent', 'bad_crc', 'exception', 'slow', 'jammed_door'];
const people = new WeakMap<DoorPlant, Map<string, SimPerson>>();
const cars = new WeakMap<DoorPlant, Map<string, SimCar>>();

function registry<T>(map: WeakMap<DoorPlant, Map<string, T>>, plant: DoorPlant): Map<string, T> {
  let m = map.get(plant);
  if (!m) map.set(plant, (m = new Map()));
  return m;
}

export function plantStatus(plant: DoorPlant): Record<string, unknown> {
  const roles = plant.layout === 'vehicle' ? vehicleRoles : pedestrianRoles;
  const all = [...Object.keys(roles.coils), ...Object.keys(roles.inputs), ...Object.keys(roles.inputRegisters)];
  return {
    layout: plant.layout,
    fault: plant.fault,
    tripped: plant.tripped,
    ...Object.fromEntries(all.map((r) => [r, plant.role(r)])),
    people: [...registry(people, plant)].map(([id, p]) => ({ id, place: p.place })),
    cars: [...registry(cars, plant)].map(([id, c]) => ({ id, place: c.place })),
  };
}

export function runPlantCommand(plant: DoorPlant, line: string): PlantCommandResult {
  const [cmd, a, b] = line.trim().split(/\s+/);
  const on = (v: string | undefined): boolean => {
    if (v !== 'on' && v !== 'off') throw new Error('expected on or off');
    return v === 'on';
  };
  const person = (id: string | undefined): SimPerson => {
    const p = id ? registry(people, plant).get(id) : undefined;
    if (!p) throw new Error(`no traveller '${id ?? ''}' (create one with: traveller <id>)`);
    return p;
  };
  const car = (id: string | undefined): SimCar => {
    const c = id ? registry(cars, plant).get(id) : undefined;
    if (!c) throw new Error(`no car '${id ?? ''}' (create one with: car <id>)`);
    return c;
  };
  const swallow = (p: Promise<void>): void => void p.catch(() => {});
  try {
    switch (cmd) {
      case 'traveller': {
        const p = plant.traveller(a);
        registry(people, plant).set(p.id, p);
        return { ok: true, id: p.id };
      }
      case 'arrive': person(a).arrive(); break;
      case 'enter': swallow(person(a).enterMantrap()); break;
      case 'exit': swallow(person(a).exit()); break;
      case 'leave': swallow(person(a).leave()); break;
      case 'backout': swallow(person(a).backOut()); break;
      case 'walk': swallow(person(a).walkThrough()); break;
      case 'linger': person(a).linger(on(b)); break;
      case 'car': {
        const c = plant.car(a);
        registry(cars, plant).set(c.id, c);
        return { ok: true, id: c.id };
      }
      case 'car-arrive': car(a).arrive(); break;
      case 'drive': swallow(car(a).drive()); break;
      case 'follow': swallow(car(a).followClosely()); break;
      case 'reverse': swallow(car(a).reverse()); break;
      case 'fire': plant.setFireAlarm(on(a)); break;
      case 'tamper': plant.setTamper(on(a)); break;
      case 'reboot': plant.powerCycle(); break;
      case 'jam': plant.jam(leafName(a), on(b)); break;
      case 'block': plant.block(leafName(a), on(b)); break;
      case 'fault':
        if (!FAULTS.includes(a as PlantFault)) throw new Error(`fault is one of ${FAULTS.join(', ')}`);
        plant.setFault(a as PlantFault);
        break;
      case 'status': return { ok: true, ...plantStatus(plant) };
      default: throw new Error(`unknown command '${cmd ?? ''}'`);
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

function leafName(v: string | undefined): 'entry' | 'exit' | 'barrier' {
  if (v !== 'entry' && v !== 'exit' && v !== 'barrier') throw new Error('expected entry, exit or barrier');
  return v;
}
