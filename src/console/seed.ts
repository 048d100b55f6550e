import { PermissionFlagsBits } from "discord.js";
import type { GuildSeed } from "../../test/loopback/server.js";

// The world the console starts in. Ids are fixed, not generated: the console database outlives a session, and
// anything the bot stores per server or member must find its server and member again next time.

export const CONSOLE_BOT = { id: "1310000000000000100", username: "Khitomer" };

const alice = { id: "1310000000000000201", username: "alice" };
const bob = { id: "1310000000000000202", username: "bob" };
const carol = { id: "1310000000000000203", username: "carol" };

const ADMIN = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ManageRoles | PermissionFlagsBits.ManageEvents;

export const CONSOLE_GUILDS: GuildSeed[] = [
  {
    id: "1310000000000001000",
    name: "Khitomer Fleet",
    ownerId: alice.id,
    channels: [
      { id: "1310000000000001001", name: "general", topic: "Fleet chatter" },
      { id: "1310000000000001002", name: "lore-archive", topic: "Look things up here" },
      { id: "1310000000000001003", name: "council", topic: "Treaties and votes" },
    ],
    roles: [
      { id: "1310000000000001011", name: "Admiral", position: 3, permissions: ADMIN, color: 0xc9a227 },
      { id: "1310000000000001012", name: "Captain", position: 2, permissions: PermissionFlagsBits.ManageEvents },
      { id: "1310000000000001013", name: "Ensign", position: 1, permissions: 0n },
    ],
    members: [
      { user: alice, roles: ["1310000000000001011"] },
      { user: bob, roles: ["1310000000000001012"] },
      { user: carol, roles: ["1310000000000001013"] },
    ],
  },
  {
    id: "1310000000000002000",
    name: "Qo'noS Irregulars",
    ownerId: alice.id,
    channels: [
      { id: "1310000000000002001", name: "great-hall", topic: "Songs of glory" },
      { id: "1310000000000002002", name: "war-room", topic: "Plans and alliances" },
    ],
    roles: [
      { id: "1310000000000002011", name: "Chancellor", position: 2, permissions: ADMIN, color: 0xe74c3c },
      { id: "1310000000000002012", name: "Warrior", position: 1, permissions: 0n },
    ],
    members: [
      { user: alice, roles: [] },
      { user: bob, roles: ["1310000000000002011"] },
      { user: carol, roles: ["1310000000000002012"] },
    ],
  },
];
