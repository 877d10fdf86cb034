// The scenes admin page: the venue screens' playlist (which scenes rotate, in which order, how long).
import type { Scene, SceneUpdate } from "../api/types";
import { contentLines } from "../dashboard/playlist";
import { Field } from "./Dialog";
import { enabledColumn, ResourcePanel } from "./ResourcePanel";
import type { AdminResource, Column, FieldsProps } from "./resource";
import {
  byPlaylistOrder,
  emptySceneForm,
  MAX_SCENE_CONTENT,
  type SceneForm,
  sceneChanges,
  sceneCreateBody,
  sceneToForm,
  validateScene,
} from "./scene-logic";

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

const columns: Column<Scene>[] = [
  {
    header: "Order",
    headerClassName: "num",
    cell: (s) => (
      <td className="num mono" data-label="Order">
        {s.order}
      </td>
    ),
  },
  {
    header: "Name",
    cell: (s) => (
      <th scope="row" className="table__name">
        {s.name}
        {s.content ? (
          <span className="table__detail" title={s.content}>
            {contentLines(s.content).length} lines of content
          </span>
        ) : null}
      </th>
    ),
  },
  {
    header: "ID",
    cell: (s) => (
      <td className="mono" data-label="ID">
        {s.id}
      </td>
    ),
  },
  {
    header: "Duration",
    headerClassName: "num",
    cell: (s) => (
      <td className="num mono" data-label="Duration">
        {seconds(s.duration)}
      </td>
    ),
  },
  enabledColumn("scene", (s) => `Show ${s.name}`),
];

/** A short numeric text input (seconds, order), with data-testid `${id}` as `scene-form-…`. */
function NumberField(props: {
  label: string;
  id: string;
  error: string | undefined;
  hint?: string;
  value: string;
  onChange: (value: string) => void;
  inputMode: "decimal" | "numeric";
}) {
  return (
    <Field label={props.label} id={props.id} error={props.error} hint={props.hint}>
      {(a) => (
        <input
          {...a}
          className="input mono"
          inputMode={props.inputMode}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          data-testid={props.id.replace("scene-", "scene-form-")}
        />
      )}
    </Field>
  );
}

function SceneFields({ form, errors, update, isEdit }: FieldsProps<SceneForm>) {
  return (
    <>
      <Field
        label="Scene ID"
        id="scene-id"
        error={errors.id}
        hint="overview, merchants, products, trends, merch, wifi…"
      >
        {(a) => (
          <input
            {...a}
            className="input mono"
            value={form.id}
            onChange={(e) => update({ id: e.target.value })}
            readOnly={isEdit}
            data-autofocus={isEdit ? undefined : true}
            autoComplete="off"
            data-testid="scene-form-id"
          />
        )}
      </Field>
      <Field label="Name" id="scene-name" error={errors.name} hint="Shown in the screens' scene list.">
        {(a) => (
          <input
            {...a}
            className="input"
            value={form.name}
            onChange={(e) => update({ name: e.target.value })}
            data-autofocus={isEdit ? true : undefined}
            autoComplete="off"
            data-testid="scene-form-name"
          />
        )}
      </Field>
      <NumberField
        label="Duration (seconds)"
        id="scene-duration"
        error={errors.duration}
        value={form.duration}
        onChange={(duration) => update({ duration })}
        inputMode="decimal"
      />
      <NumberField
        label="Order"
        id="scene-order"
        error={errors.order}
        hint={isEdit ? "Lower comes first." : "Lower comes first; blank puts it last."}
        value={form.order}
        onChange={(order) => update({ order })}
        inputMode="numeric"
      />
      <Field
        label="Content"
        id="scene-content"
        error={errors.content}
        hint={`The merch scene shows one item per line (up to ${MAX_SCENE_CONTENT} characters).`}
      >
        {(a) => (
          <textarea
            {...a}
            className="input"
            rows={5}
            value={form.content}
            onChange={(e) => update({ content: e.target.value })}
            data-testid="scene-form-content"
          />
        )}
      </Field>
    </>
  );
}

export const sceneResource: AdminResource<Scene, SceneForm, SceneUpdate> = {
  noun: "scene",
  plural: "scenes",
  title: "Scenes",
  subtitle: "The venue screens' playlist: changes reach every open screen at once.",
  addLabel: "New scene",
  loadingText: "Loading scenes…",
  emptyText: "No scenes: screens show the overview. Add one, e.g. “overview”.",
  load: (api) => api.scenes(),
  order: byPlaylistOrder,
  name: (s) => s.name,
  columns,
  rowData: (s) => ({ "data-scene-id": s.id }),
  actions: [],
  update: (api, id, changes) => api.updateScene(String(id), changes),
  enabledNotice: (s, enabled) => `“${s.name}” ${enabled ? "shows on the screens" : "no longer shows"}.`,
  remove: {
    title: "Delete scene?",
    confirmLabel: "Delete scene",
    message: (s) => (
      <p>
        <strong>{s.name}</strong> ({s.id}) leaves the playlist of every screen.
      </p>
    ),
    run: (api, id) => api.deleteScene(String(id)),
    notice: (s) => `“${s.name}” deleted.`,
  },
  form: {
    empty: emptySceneForm,
    fromItem: sceneToForm,
    validate: validateScene,
    create: (api, form) => api.saveScene(sceneCreateBody(form)),
    changes: sceneChanges,
    title: (s) => (s ? `Edit “${s.name}”` : "New scene"),
    createLabel: "Create scene",
    enabledLabel: "Shown on the screens",
    savedNotice: (s, created) => (created ? `“${s.name}” created.` : `“${s.name}” saved.`),
    Fields: SceneFields,
  },
};

export function ScenesPanel() {
  return <ResourcePanel resource={sceneResource} />;
}
