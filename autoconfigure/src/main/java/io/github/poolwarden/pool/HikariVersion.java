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

package io.github.poolwarden.pool;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import com.zaxxer.hikari.HikariDataSource;
import org.jspecify.annotations.Nullable;

/**
 * The version of HikariCP on the class path, and what PoolWarden knows about it.
 *
 * @author PoolWarden authors
 * @since 0.1.0
 */
public final class HikariVersion {

	private static final String POM_PROPERTIES = "/META-INF/maven/com.zaxxer/HikariCP/pom.properties";

	private HikariVersion() {
	}

	/**
	 * Return the version of HikariCP on the class path.
	 * @return the version, as {@code 7.0.2}, or {@code null} when it cannot be read
	 */
	public static @Nullable String current() {
		try (InputStream properties = HikariDataSource.class.getResourceAsStream(POM_PROPERTIES)) {
			if (properties == null) {
				return null;
			}
			Properties pom = new Properties();
			pom.load(properties);
			return pom.getProperty("version");
		}
		catch (IOException ex) {
			return null;
		}
	}

	/**
	 * Whether a version of HikariCP spins on virtual threads when a returned connection
	 * is handed over to a waiter (HikariCP issue 2398, fixed in 7.1.0).
	 * @param version the version, as {@code 7.0.2}
	 * @return whether it spins; {@code false} when the version cannot be read
	 */
	public static boolean spinsOnVirtualThreads(@Nullable String version) {
		if (version == null) {
			return false;
		}
		String[] parts = version.split("[.-]");
		try {
			int major = Integer.parseInt(parts[0]);
			int minor = (parts.length > 1) ? Integer.parseInt(parts[1]) : 0;
			return major < 7 || (major == 7 && minor < 1);
		}
		catch (NumberFormatException ex) {
			return false;
		}
	}

}
