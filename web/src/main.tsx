import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/App";
import "./styles/fonts.css";
import "./styles/base.css";
import "./styles/venue.css";
import "./styles/celebration.css";
import "./styles/attendee.css";
import "./styles/admin.css";
import "./styles/booth.css";
import "./styles/themes.css";

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
