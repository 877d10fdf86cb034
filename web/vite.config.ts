import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { precompress } from "./precompress";

const root = fileURLToPath(new URL(".", import.meta.url));

// The built app is served by the API server from dist/web; `npm run dev` proxies the API like the seed's frontend.
export default defineConfig({
  root,
  plugins: [react(), precompress()],
  build: { outDir: fileURLToPath(new URL("../dist/web", import.meta.url)), emptyOutDir: true },
  server: {
    port: 5173,
    proxy: { "/v1": { target: "http://127.0.0.1:8080", changeOrigin: false } },
  },
});
