package io.topaz.control.security;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code GET /api/v1/me}: who the caller's token belongs to and its role, so that a client (the console) can hide what
 * the role may not do instead of letting the operator run into 403s.
 */
@RestController
class OperatorController {

    record Operator(String name, Role role) {
    }

    @GetMapping("/api/v1/me")
    Operator me(Authentication auth) {
        return new Operator(auth.getName(), highestRole(auth));
    }

    /** The role whose authorities the token holds: each role also holds those of the roles below it. */
    static Role highestRole(Authentication auth) {
        Set<String> held = auth.getAuthorities().stream().map(GrantedAuthority::getAuthority).collect(Collectors.toSet());
        Role highest = Role.VIEWER;
        for (Role r : Role.values()) {
            if (held.containsAll(r.authorities())) {
                highest = r;
            }
        }
        return highest;
    }
}
