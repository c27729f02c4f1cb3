/*
 * Copyright 2026-present the PoolWarden authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *      https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package io.github.poolwarden.support;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Removes credentials from text that may end up in a log line, an exception message or
 * a health detail: a known password wherever it appears, {@code password=} parameters
 * and the {@code user:password@} part of a URL.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public final class CredentialMasker {

	/**
	 * What replaces a password.
	 */
	public static final String MASK = "******";

	private static final Pattern PASSWORD_PARAMETER = Pattern
		.compile("(?i)((?:password|passwd|pwd|sslpassword)\\s*=\\s*)[^&;,\\s)\"']*");

	private static final Pattern USER_INFO = Pattern.compile("(//[^/:@\\s]*:)[^@/\\s]*@");

	private CredentialMasker() {
	}

	/**
	 * Mask every credential found in {@code text}.
	 * @param text the text to mask, may be {@code null}
	 * @param password a password known to the caller that must not appear, may be
	 * {@code null} or empty
	 * @return the masked text, or {@code null} when {@code text} was {@code null}
	 */
	public static @Nullable String mask(@Nullable String text, @Nullable String password) {
		if (text == null) {
			return null;
		}
		String masked = text;
		if (password != null && !password.isEmpty()) {
			masked = masked.replace(password, MASK);
		}
		masked = PASSWORD_PARAMETER.matcher(masked).replaceAll("$1" + Matcher.quoteReplacement(MASK));
		return USER_INFO.matcher(masked).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "@");
	}

}
