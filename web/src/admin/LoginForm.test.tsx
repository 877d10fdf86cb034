// Renders the login form to static markup in Node (no DOM) to pin the data-testid contract that
// browser tests rely on, and its accessible structure.
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { one } from "../testing/markup";
import { LoginForm } from "./LoginForm";

describe("admin login form", () => {
  it("renders the login form with a labelled password field", () => {
    const html = renderToStaticMarkup(<LoginForm onLogin={() => {}} reason="Your session expired." />);
    expect(one(html, "login-form").tag).toBe("form");
    expect(one(html, "login-token")).toMatchObject({ type: "password", id: "admin-token" });
    expect(html).toContain('for="admin-token"');
    expect(one(html, "login-reason").tag).toBe("p");
  });
});
