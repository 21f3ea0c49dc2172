// Emitted when governance changes a module's parameters (one event per changed key).
import { event, type Event } from "../../app/events.js";

export const EventTypes = { paramChange: "param_change" } as const;

export const paramChangeEvent = (module: string, key: string, value: string): Event => event(EventTypes.paramChange, { module, key, value });
