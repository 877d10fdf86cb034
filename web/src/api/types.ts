// The server's REST + SSE contract, from its one definition in src/contract. Type-only: nothing of the
// server (nor TypeBox) is bundled into the web app. All times are RFC 3339 UTC strings.

// The admin screens' names for the admin API's merchant and milestone.
export type {
  ConnectionTest,
  ConnectionTestBody,
  FiatVolume,
  KeyedSource,
  Merchant as AdminMerchant,
  MerchantBody as MerchantCreate,
  MerchantPatchBody as MerchantUpdate,
  MerchantStanding as MerchantLeader,
  MerchantStatus,
  Metric,
  Milestone as AdminMilestone,
  MilestoneBody as MilestoneCreate,
  MilestonePatchBody as MilestoneUpdate,
  MilestoneTrigger,
  MilestoneType,
  PolledSource,
  ProductStanding as ProductLeader,
  Scene,
  SceneBody as SceneCreate,
  ScenePatchBody as SceneUpdate,
  ScenesEvent,
  Summary,
  TickerRow,
  Timeseries,
  TimeseriesBucket,
  UpcomingMilestone,
} from "../../../src/contract/index.js";
