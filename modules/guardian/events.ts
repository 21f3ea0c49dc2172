import { event, type Event } from "../../app/events.js";

export const EventTypes = {
  add: "add_guardian",
  delete: "delete_guardian",
  halt: "halt_network",
} as const;

export const addEvent = (creator: string, guardian: string): Event => event(EventTypes.add, { creator, guardian });
export const deleteEvent = (deletedBy: string, guardian: string): Event => event(EventTypes.delete, { deleted_by: deletedBy, guardian });
export const haltEvent = (guardian: string, reason: string, height: number): Event => event(EventTypes.halt, { guardian, reason, height: String(height) });
